import { type BrowserHarness, launchBrowser } from '@lifeline/testkit/browser/harness'
import { createRawSseServer, rawEventData } from '@lifeline/testkit/wire/raw-sse-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type XhrPage = typeof import('./xhr-page')

const entry = new URL('./xhr-page.ts', import.meta.url)
const MiB = 1024 * 1024

let browser: BrowserHarness
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

describe('sse-xhr in Chromium', () => {
  it('receives events from a server on 127.0.0.1', async () => {
    const sse = createRawSseServer({ available: 3 })
    const app = await browser.open<XhrPage>({ entry, handler: sse.handle })
    await app.call('start', app.url('/events'))
    expect(await app.call('received', 3)).toEqual([1, 2, 3].map((n) => rawEventData(n, 16)))
    sse.append(2)
    expect(await app.call('received', 5)).toHaveLength(5)
    expect(sse.requests).toMatchObject([{ lastEventId: undefined, method: 'GET' }])
    await app.close()
  })

  it('resumes after a server-side cut with Last-Event-ID, no gap and no duplicate', async () => {
    const sse = createRawSseServer({ available: 4 })
    const app = await browser.open<XhrPage>({ entry, handler: sse.handle })
    await app.call('start', app.url('/events'))
    await app.call('received', 4)
    sse.cut()
    sse.append(3)
    const data = await app.call('received', 7)
    expect(data).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => rawEventData(n, 16)))
    expect(sse.requests.map((r) => r.lastEventId)).toContain('4')
    const { reasons } = await app.call('stop')
    expect(reasons).toContain('network')
    await app.close()
  })

  it('closes cleanly: the server sees the request go and nothing reconnects', async () => {
    const sse = createRawSseServer({ available: 1 })
    const app = await browser.open<XhrPage>({ entry, handler: sse.handle })
    await app.call('start', app.url('/events'))
    await app.call('received', 1)
    expect(sse.open).toBe(1)
    expect(await app.call('stop')).toEqual({ opens: 1, reasons: ['aborted'] })
    await sse.idle(5_000)
    expect(sse.requests).toHaveLength(1)
    await app.close()
  })

  it('streams 50 MiB through a 1 MiB maxResponseBytes: every event once, flat heap', async () => {
    const dataBytes = 1000
    const eventBytes = `id: 1\ndata: ${rawEventData(1, dataBytes)}\n\n`.length + 4
    const total = Math.ceil((50 * MiB) / eventBytes)
    const sse = createRawSseServer({ available: total, dataBytes })
    const app = await browser.open<XhrPage>({ entry, handler: sse.handle })

    const before = await app.heap()
    const result = await app.callWithin(120_000, 'bulk', app.url('/events'), total, MiB)
    const after = await app.heap()

    const mib = (n: number) => (n / MiB).toFixed(2)
    console.info(
      `sse-xhr 50 MiB: ${result.received} events in ${Math.round(result.ms)} ms ` +
        `(${result.eventsPerSecond} events/s), ${result.opens} requests, largest ` +
        `responseText at a recycle ${mib(result.largestResponse)} MiB; ` +
        `heap used ${mib(before.usedSize)} → ${mib(after.usedSize)} MiB, ` +
        `JSHeapUsedSize ${mib(before.jsHeapUsedSize)} → ${mib(after.jsHeapUsedSize)} MiB`,
    )
    expect(result).toMatchObject({ received: total, outOfOrder: 0 })
    // Every request but the last was a planned recycle, never a drop. Chromium reports
    // progress at most every 50 ms, so on loopback a response overshoots 1 MiB by what
    // arrived meanwhile: there are fewer than 50 recycles, but more than one.
    expect(result.opens).toBeGreaterThan(1)
    expect(result.reasons).toEqual([...Array(result.opens - 1).fill('ended'), 'aborted'])
    expect(after.usedSize - before.usedSize).toBeLessThan(5 * MiB)
    await app.close()
  })
})
