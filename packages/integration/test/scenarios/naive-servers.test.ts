import { createServer } from 'node:http'
import { createClient } from '@lifeline/core'
import { publishSteadily } from '@lifeline/integration'
import { createHub } from '@lifeline/server'
import { sseFetch } from '@lifeline/sse-fetch'
import { createFaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { record } from '@lifeline/testkit/scenario/client-recorder'
import { FAST, STREAM } from '@lifeline/testkit/scenario/rig'
import { closeServer, listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { startRawSseServer, type UnknownResumePoint } from '@lifeline/testkit/wire/raw-sse-server'
import { websocket } from '@lifeline/websocket'
import { afterEach, describe, expect, it } from 'vitest'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const naive: [UnknownResumePoint, string, Record<string, number>][] = [
  ['status-500', 'answers 500 to a Last-Event-ID it does not know', { http: 2 }],
  ['silence', 'accepts a Last-Event-ID it does not know and then sends nothing', { buffered: 2 }],
]

describe.each(naive)('scenario 3: a naive server that %s', (mode, _, failures) => {
  it('makes sse-fetch alone drop the resume point after resetAfter tries and recover, with one gap', async () => {
    // A hand-written server: live events for a fresh client, a comment as its first byte.
    const server = await startRawSseServer({
      unknownResumePoint: mode,
      fresh: 'live',
      preamble: 'hello',
    })
    cleanups.push(() => server.close())
    const client = createClient({
      url: server.url,
      transports: [sseFetch()],
      strategy: { resetAfter: 2 },
      ...FAST.client,
    })
    cleanups.push(() => client.close())
    const seen = record(client)
    await seen.until(() => client.connection.state === 'open', 'the first connection')
    const before = publishSteadily((seq) => Promise.resolve(server.publish(`a${seq}`)), {
      total: 20,
      perSecond: 1_000,
    })
    await before.done
    await seen.until(() => seen.events.length >= 20, 'the first events')

    // A restart: the history is gone, and the stream ends without a word.
    server.forget()
    server.endAll()
    await seen.until(
      () =>
        seen.gaps.length === 1 &&
        server.requests.length === 4 &&
        client.connection.state === 'open',
      'the fresh connection after the reset',
    )
    const after = publishSteadily((seq) => Promise.resolve(server.publish(`b${seq}`)), {
      total: 20,
      perSecond: 1_000,
    })
    await after.done
    await seen.until(() => seen.events.length >= 40, 'the events after the reset')

    expect(seen.events.map((e) => e.id)).toEqual([...before.ids, ...after.ids])
    const stale = before.ids[19]
    expect(server.requests.map((r) => r.lastEventId)).toEqual([undefined, stale, stale, undefined])
    // The gap names the failure that made resetAfter drop the resume point.
    const reason = mode === 'status-500' ? { kind: 'http', status: 500 } : { kind: 'buffered' }
    expect(seen.gaps.map((g) => g.event)).toEqual([{ lastEventId: stale, reason }])
    expect(client.connection.diagnostics()).toMatchObject({ gaps: 1, failures })
  })
})

describe('scenario 3: the silent server with a second transport', () => {
  it('makes the client fall back to WebSocket first, which resumes with no gap and no loss', async () => {
    const hub = createHub(FAST.hub)
    const server = createServer((req, res) => {
      if (req.headers['last-event-id'] !== undefined) {
        // Accepts a resume over SSE, then sends nothing, ever.
        res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders()
      } else hub.sse(req, res, { stream: STREAM })
    })
    hub.attach(server, { path: '/events', stream: STREAM })
    const port = await listenOnLoopback(server)
    cleanups.push(async () => {
      await hub.close()
      await closeServer(server)
    })
    const proxy = await createFaultProxy({ upstream: { port } })
    cleanups.push(() => proxy.close())
    const client = createClient({
      url: `${proxy.url}/events`,
      transports: [sseFetch(), websocket()],
      strategy: { resetAfter: 2, upgradeAfter: false },
      ...FAST.client,
    })
    cleanups.push(() => client.close())
    const seen = record(client)
    await seen.until(() => client.connection.lastEventId !== undefined, 'the position block')
    const publisher = publishSteadily((seq) => hub.publish(STREAM, { data: String(seq) }), {
      total: 300,
      perSecond: 1_000,
    })
    await seen.until(() => seen.events.length >= 50, '50 events over SSE')
    proxy.cutAll({ mode: 'rst' })
    await publisher.done
    await seen.until(() => seen.events.length >= 300, 'every event')

    expect(seen.events.map((e) => e.id)).toEqual(publisher.ids)
    expect(seen.transports.map((t) => t.event)).toEqual([
      { from: 'sse-fetch', to: 'websocket', reason: { kind: 'buffered' } },
    ])
    expect(seen.gaps).toEqual([])
    expect(client.connection.diagnostics()).toMatchObject({ gaps: 0, failures: { buffered: 1 } })
  })
})
