import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

/** What a browser bundle of one entry weighs, and where its bytes come from. */
export interface BundleSize {
  /** Minified bytes. */
  minified: number
  /** Minified, then gzip level 9. */
  gzipped: number
  /** The minified bytes each input module left in the output, largest first. */
  modules: { path: string; bytes: number }[]
  /** The minified output, for checks on what it contains. */
  code: string
}

const packages = fileURLToPath(new URL('../../', import.meta.url))
const root = fileURLToPath(new URL('../../../', import.meta.url))

/** Resolves `@lifeline/<pkg>` to its sources, as the tests do: sizes need no prior build. */
const alias = Object.fromEntries(
  ['core', 'sse-fetch', 'sse-xhr', 'websocket', 'long-poll', 'react', 'tabs'].map((name) => [
    `@lifeline/${name}`,
    `${packages}${name}/src/index.ts`,
  ]),
)

/**
 * Bundles `source` (an entry module's text) for the browser, minified, with every dependency
 * inside but the `external` ones (an app's own copy of a peer such as React), and measures it
 * the way a user's bundler would ship it.
 *
 * @example
 * ```ts
 * const { gzipped } = await measureBundle(`export { createClient } from '@lifeline/core'`)
 * ```
 */
export async function measureBundle(
  source: string,
  options: { external?: string[] } = {},
): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: source, resolveDir: packages, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias,
    external: options.external ?? [],
    write: false,
    metafile: true,
    // Module paths in the metafile come out relative to the repository root.
    absWorkingDir: root,
    logLevel: 'silent',
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error('esbuild produced no output')
  const meta = Object.values(result.metafile.outputs)[0]
  const modules = Object.entries(meta?.inputs ?? {})
    .map(([path, input]) => ({ path, bytes: input.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
  return {
    minified: output.contents.byteLength,
    gzipped: gzipSync(output.contents, { level: 9 }).byteLength,
    modules,
    code: output.text,
  }
}
