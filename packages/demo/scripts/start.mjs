// `npm start`: bundles the demo server (src/main.ts) for Node with esbuild, the workspace
// packages from their sources, and runs it. Node 20 cannot run TypeScript by itself.
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const root = new URL('../', import.meta.url)
const packagesDir = fileURLToPath(new URL('../', root))
const outfile = fileURLToPath(new URL('dist/main.mjs', root))

await build({
  entryPoints: [fileURLToPath(new URL('src/main.ts', root))],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ws is loaded on the first upgrade and esbuild bundles the page at run time: both stay
  // packages that Node resolves.
  external: ['ws', 'esbuild'],
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
