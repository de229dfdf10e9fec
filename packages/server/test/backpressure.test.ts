import type { Socket } from 'node:net'
import { type CutInfo, type HubMetric, memoryLog } from '@lifeline/server'
import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'
import { openRawPipe, type RawPipe } from '@lifeline/testkit/wire/raw-pipe'
import { stalledSse, stalledWebSocket } from '@lifeline/testkit/wire/stalled-clients'
import { afterEach, describe, expect, it } from 'vitest'

let server: HubServer | undefined
afterEach(async () => {
  await server?.close()
})

describe.each<[RawPipe, (server: HubServer) => Socket]>([
  ['sse', (server) => stalledSse(server.url)],
  ['websocket', (server) => stalledWebSocket(server.wsUrl)],
])('backpressure over %s', (pipe, stalled) => {
  it('cuts a reader that does not keep up at maxBufferedBytes, keeping memory bounded', async () => {
    const maxBufferedBytes = 64 * 1024
    const cuts: CutInfo[] = []
    const metrics: HubMetric[] = []
    server = await startHubServer({
      hubOptions: {
        maxBufferedBytes,
        log: memoryLog({ capacity: 100 }),
        onCut: (c) => cuts.push(c),
        onMetric: (metric) => metrics.push(metric),
      },
    })
    const fast = await openRawPipe(pipe, server)
    const slow = stalled(server)
    await fast.waitFor((items) => items.some((i) => i.kind === 'id'))
    await expect.poll(() => server?.hub.stats().clients).toBe(2)
    const data = 'x'.repeat(1024)
    let peak = 0
    // The kernel's socket buffers take some megabytes first; the bound is generous.
    for (let i = 0; i < 100_000 && cuts.length === 0; i++) {
      await server.hub.publish('events', { data })
      peak = Math.max(peak, server.hub.stats().bufferedBytes)
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    expect(cuts).toEqual([
      { stream: 'events', pipe, reason: 'slow-consumer', bufferedBytes: expect.any(Number) },
    ])
    expect(cuts[0]!.bufferedBytes).toBeGreaterThan(maxBufferedBytes)
    // Never more than the limit plus one event per connection waits in the server.
    expect(peak).toBeLessThanOrEqual(2 * (maxBufferedBytes + data.length + 64))
    // The cut subscriber is gone at once; the fast one on the same stream stays.
    expect(server.hub.stats()).toMatchObject({ clients: 1, cuts: 1 })
    expect(metrics.filter((metric) => metric.kind === 'cut')).toEqual([
      { kind: 'cut', stream: 'events', pipe, bufferedBytes: cuts[0]!.bufferedBytes },
    ])
    slow.destroy()
    expect(fast.ended).toBe(false)
    fast.close()
  })
})
