import { describe, expect, it } from 'vitest'
import { type BundleSize, measureBundle } from '../src/bundle-size'

/** KB here is 1,024 bytes, of the minified bundle compressed with gzip level 9. */
const KB = 1024

const entries = {
  core: `export { createClient } from '@lifeline/core'`,
  'core + sse-fetch': `export { createClient } from '@lifeline/core'
export { sseFetch } from '@lifeline/sse-fetch'`,
  'core + all three adapters': `export { createClient } from '@lifeline/core'
export { sseFetch } from '@lifeline/sse-fetch'
export { sseXhr } from '@lifeline/sse-xhr'
export { websocket } from '@lifeline/websocket'`,
  // React is the app's own (a peer dependency): what the bindings add over core.
  'core + react bindings': `export { createClient } from '@lifeline/core'
export * from '@lifeline/react'`,
  'core + tabs': `export { createClient } from '@lifeline/core'
export { tabs } from '@lifeline/tabs'`,
  'core + long-poll': `export { createClient } from '@lifeline/core'
export { longPoll } from '@lifeline/long-poll'`,
}
const external: Partial<Record<keyof typeof entries, string[]>> = {
  'core + react bindings': ['react'],
}

/**
 * What a browser app ships for each set of imports. `ceiling` is enforced: the size at the
 * last deliberate change plus a little headroom, so a change that grows a bundle fails here
 * and has to say why (docs/performance.md keeps where the bytes go). `target` is the goal of
 * the Core v2 issue, not met: eventsource-parser (which core must use) is 1.7 KB of it
 * alone, and the second wave's client features live in core (docs/performance.md).
 */
const budgets: { name: keyof typeof entries; ceiling: number; target: number }[] = [
  // Raised from 5.85 / 9.1 / 11.45: core grew 2.0 KB in the second wave, by the client
  // features that live in core (share 0.54 KB, persist 0.22 KB, bounded ids, auth, hot
  // loops, from, timeouts); docs/performance.md lists the bytes module by module.
  { name: 'core', ceiling: 7.75, target: 3.5 },
  { name: 'core + sse-fetch', ceiling: 10.9, target: 4.5 },
  { name: 'core + all three adapters', ceiling: 12.85, target: 6.5 },
  // Measured 6.82 KB when the bindings came (1.18 KB over core); the target is core's + 1 KB.
  { name: 'core + react bindings', ceiling: 8.9, target: 4.5 },
  // Measured 8.33 KB when tabs came (0.94 KB over core); the target is core's + 1 KB.
  { name: 'core + tabs', ceiling: 8.7, target: 4.5 },
  // Measured 10.61 KB when long-poll came (2.96 KB over core, eventsource-parser's 1.7 KB
  // among them); the target is that of core + sse-fetch.
  { name: 'core + long-poll', ceiling: 10.7, target: 4.5 },
]

const sizes = new Map<string, BundleSize>()
for (const [name, source] of Object.entries(entries))
  sizes.set(
    name,
    await measureBundle(source, { external: external[name as keyof typeof entries] ?? [] }),
  )
const websocketOnly = await measureBundle(`export { websocket } from '@lifeline/websocket'`)

const kb = (bytes: number) => (bytes / KB).toFixed(2)
const top = (size: BundleSize) =>
  size.modules
    .slice(0, 5)
    .map((module) => `${module.path} ${module.bytes} B`)
    .join(', ')

describe('bundle budgets (browser, minified + gzip -9, dependencies included)', () => {
  for (const { name, ceiling, target } of budgets) {
    const size = sizes.get(name)!
    // The measured size is in the name and the largest modules print, so a miss says where to cut.
    it(`${name} ≤ ${ceiling} KB (measured ${kb(size.gzipped)} KB; target ${target} KB)`, () => {
      console.log(`${name}: ${size.minified} B minified; largest: ${top(size)}`)
      expect(size.gzipped / KB).toBeLessThanOrEqual(ceiling)
    })
  }

  it('keeps ws out of a browser bundle of the websocket adapter', () => {
    const inputs = websocketOnly.modules.map((module) => module.path)
    expect(inputs.some((path) => path.includes('packages/websocket/src/'))).toBe(true)
    expect(inputs.filter((path) => path.includes('node_modules/ws/'))).toEqual([])
    // ws's own code would bring its frame parser and Node's stream and zlib with it.
    expect(websocketOnly.code).not.toMatch(/perMessageDeflate|Sec-WebSocket-Key|node:stream/)
  })
})
