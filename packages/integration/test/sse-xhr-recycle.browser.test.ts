import { type BrowserHarness, launchBrowser } from '@lifeline/testkit/browser/harness'
import { createRawSseServer, rawEventData } from '@lifeline/testkit/wire/raw-sse-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type ClientPage = typeof import('./client-page')

const entry = new URL('./client-page.ts', import.meta.url)
const MiB = 1024 * 1024
const dataBytes = 1000
const eventBytes = `id: 10000\ndata: ${rawEventData(1, dataBytes)}\n\n`.length
const total = Math.ceil((50 * MiB) / eventBytes)
const mib = (n: number) => (n / MiB).toFixed(2)

let browser: BrowserHarness
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

describe('50 MiB through createClient in Chromium', () => {
  it('sse-xhr with a 1 MiB maxResponseBytes: every event once, no gap, flat heap', async () => {
    const sse = createRawSseServer({ available: total, dataBytes })
    const app = await browser.open<ClientPage>({ entry, handler: sse.handle })
    const before = await app.heap()
    const result = await app.callWithin(120_000, 'bulk', 'sse-xhr', app.url('/events'), total, MiB)
    const after = await app.heap()
    console.info(
      `createClient + sse-xhr, 50 MiB: ${result.received} events in ${Math.round(result.ms)} ms ` +
        `(${result.eventsPerSecond} events/s), ${sse.requests.length} requests; heap used ` +
        `${mib(before.usedSize)} → ${mib(after.usedSize)} MiB after forced GC`,
    )
    expect(result).toMatchObject({ received: total, outOfOrder: 0, gaps: 0 })
    // Each recycle resumed from the last event delivered.
    expect(sse.requests.length).toBeGreaterThan(1)
    expect(sse.requests.slice(1).every((r) => r.lastEventId !== undefined)).toBe(true)
    expect(after.usedSize - before.usedSize).toBeLessThan(5 * MiB)
    await app.close()
  })

  it('sse-fetch, the same stream: every event once (the throughput baseline)', async () => {
    const sse = createRawSseServer({ available: total, dataBytes })
    const app = await browser.open<ClientPage>({ entry, handler: sse.handle })
    const result = await app.callWithin(120_000, 'bulk', 'sse-fetch', app.url('/events'), total)
    console.info(
      `createClient + sse-fetch, 50 MiB: ${result.received} events in ${Math.round(result.ms)} ms ` +
        `(${result.eventsPerSecond} events/s), ${sse.requests.length} request(s)`,
    )
    expect(result).toMatchObject({ received: total, outOfOrder: 0, gaps: 0 })
    await app.close()
  })
})
