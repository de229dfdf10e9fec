import { fileURLToPath } from 'node:url'
import { workspaceSources } from '@lifeline/testkit/workspace-sources'
import { build } from 'esbuild'

// Relative to the package root: this module also runs bundled from `dist/`.
const pageEntry = fileURLToPath(new URL('../src/page/main.ts', import.meta.url))

/**
 * Bundles the page script (`src/page/main.ts`) for the browser with esbuild, from the
 * workspace sources (nothing from a CDN), into one ES module with an inline source map.
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
