import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'

// Relative to the package root, so the path holds both from `src/` (tests) and from the
// bundle `npm start` runs in `dist/`.
const packagesDir = fileURLToPath(new URL('../../', import.meta.url))

/**
 * An esbuild plugin resolving `@lifeline/<pkg>` to `packages/<pkg>/src/index.ts` and
 * `@lifeline/testkit/<file>` to its source, as the browser tests do: what is bundled is
 * exactly the code the tests cover.
 *
 * @example
 * ```ts
 * await build({ entryPoints: ['src/page/main.ts'], bundle: true, plugins: [workspaceSources] })
 * ```
 */
export const workspaceSources: Plugin = {
  name: 'lifeline-workspace-sources',
  setup(plugin) {
    plugin.onResolve({ filter: /^@lifeline\/[^/]+(\/.+)?$/ }, ({ path }) => {
      const [, name, file] = /^@lifeline\/([^/]+)(?:\/(.+))?$/.exec(path) ?? []
      if (name === 'testkit' && file !== undefined)
        return { path: `${packagesDir}testkit/src/${file}.ts` }
      return { path: `${packagesDir}${name}/src/index.ts` }
    })
  },
}
