// Bundles the benchmark scripts to .out/*.mjs: Node 20 cannot run TypeScript. Lifeline's
// packages are bundled from their sources (as the tests use them), so a benchmark measures
// the working tree without a rebuild; every other package stays an ordinary import.
import { existsSync } from 'node:fs'
import { build } from 'esbuild'

const packages = new URL('../', import.meta.url).pathname
const entries = ['run', 'child', 'server-fanout', 'redis-log', 'redis-streams', 'soak'].filter(
  (name) => existsSync(`src/${name}.ts`),
)

/** Keeps npm packages external, but lets the @lifeline aliases resolve to sources. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@lifeline/') || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    )
  },
}

await build({
  entryPoints: entries.map((name) => `src/${name}.ts`),
  outdir: '.out',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  alias: Object.fromEntries(
    ['core', 'server', 'sse-fetch', 'sse-xhr', 'websocket', 'long-poll', 'redis'].map((name) => [
      `@lifeline/${name}`,
      `${packages}${name}/src/index.ts`,
    ]),
  ),
  plugins: [externalPackages],
  logLevel: 'warning',
})
