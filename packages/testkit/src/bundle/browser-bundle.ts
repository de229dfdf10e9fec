import { fileURLToPath } from 'node:url'
import { type BuildOptions, build } from 'esbuild'
import { workspaceSources } from './workspace-sources'

const bundles = new Map<string, Promise<string>>()

/** What a page bundle may change: packages swapped for others, constants replaced. */
export type BrowserBundleOptions = Pick<BuildOptions, 'alias' | 'define'>

/**
 * Bundles a TypeScript module for the browser (ESM), resolving `@lifeline/<pkg>` to
 * `packages/<pkg>/src/index.ts` and `@lifeline/testkit/<file>` to its source, so pages run
 * the workspace sources without a build. Cached per entry and options for the process.
 *
 * @example
 * ```ts
 * const js = await bundleForBrowser(new URL('./page.ts', import.meta.url))
 * ```
 */
export function bundleForBrowser(
  entry: string | URL,
  options: BrowserBundleOptions = {},
): Promise<string> {
  const path = entry instanceof URL ? fileURLToPath(entry) : entry
  const key = `${path} ${JSON.stringify(options)}`
  let cached = bundles.get(key)
  if (cached === undefined) {
    cached = build({
      ...options,
      entryPoints: [path],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: 'inline',
      logLevel: 'silent',
      plugins: [workspaceSources],
    }).then((result) => result.outputFiles[0]?.text ?? '')
    bundles.set(key, cached)
  }
  return cached
}
