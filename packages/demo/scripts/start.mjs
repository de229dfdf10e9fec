// `npm start`: bundles the demo server (src/main.ts, or the entry named as the argument) for
// Node with esbuild, the workspace packages from their sources, and runs it. Node 20 cannot
// run TypeScript by itself.
import { basename } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const root = new URL('../', import.meta.url)
const packagesDir = fileURLToPath(new URL('../', root))
const entry = process.argv[2] ?? 'src/main.ts'
const outfile = fileURLToPath(new URL(`dist/${basename(entry, '.ts')}.mjs`, root))

await build({
  entryPoints: [fileURLToPath(new URL(entry, root))],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ws is loaded on the first upgrade, esbuild bundles the page at run time and playwright
  // drives the screenshot: they stay packages that Node resolves.
  external: ['ws', 'esbuild', 'playwright-core'],
  logLevel: 'warning',
  plugins: [
    // The resolution of testkit's src/bundle/workspace-sources.ts (TypeScript: not importable here).
    {
      name: 'lifeline-workspace-sources',
      setup(plugin) {
        plugin.onResolve({ filter: /^@lifeline\/[^/]+(\/.+)?$/ }, ({ path }) => {
          const [, name, file] = /^@lifeline\/([^/]+)(?:\/(.+))?$/.exec(path) ?? []
          if (name === 'testkit' && file !== undefined)
            return { path: `${packagesDir}testkit/src/${file}.ts` }
          return { path: `${packagesDir}${name}/src/index.ts` }
        })
      },
    },
  ],
})
await import(pathToFileURL(outfile).href)
