import { bundleForBrowser } from '@lifeline/testkit/bundle/browser-bundle'

/**
 * Bundles the page script (`src/page/main.ts`) for the browser with esbuild, from the
 * workspace sources (nothing from a CDN), into one ES module with an inline source map.
 *
 * @example
 * ```ts
 * const script = await bundlePage()
 * ```
 */
export function bundlePage(): Promise<string> {
  // Relative to the package root: this module also runs bundled from `dist/`.
  return bundleForBrowser(new URL('../src/page/main.ts', import.meta.url))
}
