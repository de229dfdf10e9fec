import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

// Relative to the package root, so the paths hold both from `src/` (tests) and from the
// bundle `npm start` runs in `dist/`.
const packagesDir = fileURLToPath(new URL('../../', import.meta.url))
const pageEntry = fileURLToPath(new URL('../src/page/main.ts', import.meta.url))

// `@lifeline/<pkg>` resolves to the workspace sources, as in the browser tests: the page
// runs exactly the code the tests cover, with nothing fetched from a CDN.
const workspaceSources: Plugin = {
  name: 'lifeline-workspace-sources',
  setup(plugin) {
    plugin.onResolve({ filter: /^@lifeline\/[^/]+$/ }, ({ path }) => ({
      path: `${packagesDir}${path.slice('@lifeline/'.length)}/src/index.ts`,
    }))
  },
}

/**
 * Bundles the page script (`src/page/main.ts`) for the browser with esbuild, from the
 * workspace sources, into one ES module with an inline source map.
 *
 * @example
 * ```ts
 * const script = await bundlePage()
 * ```
 */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [pageEntry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [workspaceSources],
  })
  return result.outputFiles[0]?.text ?? ''
}
