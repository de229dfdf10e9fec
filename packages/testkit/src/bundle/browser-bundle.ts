import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { workspaceSources } from './workspace-sources'

const bundles = new Map<string, Promise<string>>()

/**
 * Bundles a TypeScript module for the browser (ESM), resolving `@lifeline/<pkg>` to
 * `packages/<pkg>/src/index.ts` and `@lifeline/testkit/<file>` to its source, so pages run
 * the workspace sources without a build. Cached per entry for the process.
 *
 * @example
 * ```ts
 * const js = await bundleForBrowser(new URL('./page.ts', import.meta.url))
 * ```
 */
export function bundleForBrowser(entry: string | URL): Promise<string> {
  const path = entry instanceof URL ? fileURLToPath(entry) : entry
  let cached = bundles.get(path)
  if (cached === undefined) {
    cached = build({
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
    bundles.set(path, cached)
  }
  return cached
}
