import { createClient } from '@lifeline/core'
import { publishSteadily } from '@lifeline/integration'
import { sseFetch } from '@lifeline/sse-fetch'
import { record } from '@lifeline/testkit/scenario/client-recorder'
import { startRawSseServer } from '@lifeline/testkit/wire/raw-sse-server'
import { afterEach, describe, expect, it } from 'vitest'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('scenario 1: the article server, which sends event: close before it ends a stream', () => {
  it('reconnects at once, with no backoff delay, and loses nothing', async () => {
    // Ends every stream after 25 events with `event: close` / `data: Connection closed`.
    const server = await startRawSseServer({
      closeEvent: true,
      endAfter: 25,
      fresh: 'live',
      preamble: 'hello',
    })
    cleanups.push(() => server.close())
    // A backoff far longer than the test: any reconnect that waited for it would time out.
    const client = createClient({
      url: server.url,
      transports: [sseFetch()],
      backoff: { initial: 60_000, max: 60_000 },
      connectTimeout: 2_000,
      firstByteTimeout: 2_000,
      heartbeatTimeout: 5_000,
    })
    cleanups.push(() => client.close())
    const seen = record(client)
    await seen.until(() => client.connection.state === 'open', 'the first connection')

    const total = 200
    const publisher = publishSteadily((seq) => Promise.resolve(server.publish(String(seq))), {
      total,
      perSecond: 1_000,
    })
    await publisher.done
    await seen.until(() => seen.events.length >= total, 'every event', 5_000)

    expect(seen.events.map((e) => e.id)).toEqual(publisher.ids)
    expect(seen.retries).toEqual([])
    const reconnects = seen.states.filter((s) => s.event.to === 'reconnecting')
    expect(reconnects.length).toBeGreaterThanOrEqual(total / 25 - 1)
    expect(reconnects.every((s) => s.event.reason?.kind === 'server-close')).toBe(true)
    // Every reconnect resumed: after the first request, each one carried the resume point.
    // The last one may still be on its way when the last event arrived.
    await seen.until(() => server.requests.length === reconnects.length + 1, 'the last reconnect')
    const [first, ...resumed] = server.requests
    expect(first?.lastEventId).toBeUndefined()
    expect(resumed.length).toBe(reconnects.length)
    expect(resumed.every((r) => r.lastEventId !== undefined && r.status === 200)).toBe(true)
    expect(client.connection.diagnostics()).toMatchObject({ gaps: 0, duplicates: 0, failures: {} })
  })
})
