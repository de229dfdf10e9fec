import { sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'

// This module runs from packages/testkit/src/bundle/ and bundled into packages/<pkg>/dist/
// (the demo server): the last `packages` folder above it is the workspace's either way.
const here = fileURLToPath(import.meta.url)
const marker = `${sep}packages${sep}`
const packagesDir = here.slice(0, here.lastIndexOf(marker) + marker.length)

/**
 * An esbuild plugin resolving `@lifeline/<pkg>` to `packages/<pkg>/src/index.ts` and
 * `@lifeline/<pkg>/<file>` (testkit's helpers, a second entry) to its source, as vitest does: what a browser page, a child
 * process or the demo bundles is exactly the code the tests cover, not a stale build.
 *
 * @example
 * ```ts
 * await build({ entryPoints: ['page.ts'], bundle: true, plugins: [workspaceSources] })
 * ```
 */
export const workspaceSources: Plugin = {
  name: 'lifeline-workspace-sources',
  setup(plugin) {
    plugin.onResolve({ filter: /^@lifeline\/[^/]+(\/.+)?$/ }, ({ path }) => {
      const [, name, file] = /^@lifeline\/([^/]+)(?:\/(.+))?$/.exec(path) ?? []
      // A subpath is a file of its own: testkit's helpers, a package's second entry
      // (`@lifeline/conformance/cases`).
      if (file !== undefined) return { path: `${packagesDir}${name}/src/${file}.ts` }
      return { path: `${packagesDir}${name}/src/index.ts` }
    })
  },
}
