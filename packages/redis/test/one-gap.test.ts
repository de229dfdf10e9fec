import { createHub } from '@lifeline/server'
import { createFaultProxy, type FaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { afterEach, describe, expect, it } from 'vitest'
import { redisLog } from '../src/index'
import { startClient, type TransportName } from './reader'
import { connect, ready, startRedisServer } from './redis'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** One server instance in this process: its own client, log, hub and http server. */
async function instance(url: string) {
  const client = await connect({ url })
  cleanups.push(() => client.close())
  const log = redisLog({ client, timeout: 1_000, onError: () => {} })
  cleanups.push(() => log.close())
  // The hub refuses connections while Redis is down (503, 1013): told, not logged.
  const hub = createHub({ log, retry: 50, heartbeat: 1_000, onError: () => {} })
  const server = await startHubServer({ hub })
  cleanups.push(() => server.close({ timeout: 100 }))
  return { client, log, server, port: Number(new URL(server.url).port) }
}

/** A client behind its own fault proxy, which the test can keep away and send elsewhere. */
async function awayableClient(port: number, transport: TransportName = 'sse-fetch') {
  const proxy: FaultProxy = await createFaultProxy({ upstream: { port } })
  cleanups.push(() => proxy.close())
  const reader = startClient(`${proxy.url}/events`, transport)
  cleanups.push(() => reader.client.close())
  await reader.open()
  return {
    reader,
    async away() {
      await proxy.refuse('reset')
      proxy.cutAll()
      await reader.until('reconnecting', () => reader.client.connection.state !== 'open')
    },
    async backTo(next: number) {
      proxy.setUpstream({ port: next })
      await proxy.refuse(false)
    },
  }
}

const data = (reader: ReturnType<typeof startClient>) => reader.events.map((event) => event.data)

describe('one loss of history, one gap (Redis restarted without persistence)', () => {
  it('gives one gap to each client that held a point in the lost history, none to one placed after it, and loses only what Redis lost', async () => {
    const redis = await startRedisServer()
    cleanups.push(() => redis.close())
    const [a, b] = [await instance(redis.url), await instance(redis.url)]
    // X stays connected to A through the outage; Y1 and Y2 were on B and come back to A.
    const x = startClient(a.server.url, 'sse-fetch')
    cleanups.push(() => x.client.close())
    await x.open()
    const [y1, y2] = [await awayableClient(b.port), await awayableClient(b.port)]
    await b.server.hub.publish('events', { data: 'before' })
    for (const reader of [x, y1.reader, y2.reader]) await reader.received('before')
    await y1.away()
    await y2.away()

    await redis.kill()
    await redis.start()
    await Promise.all([ready(a.client), ready(b.client)])
    // The stream is quiet: X hears of the loss without waiting for a new event.
    await x.until('a gap', () => x.gaps.length === 1)
    // Y1 comes back before any new event, Z connects fresh: both are placed in the new history.
    await y1.backTo(a.port)
    await y1.reader.until('a gap', () => y1.reader.gaps.length === 1)
    await y1.reader.open()
    const z = startClient(a.server.url, 'sse-fetch')
    cleanups.push(() => z.client.close())
    await z.open()
    await b.server.hub.publish('events', { data: 'between' })
    for (const reader of [x, y1.reader, z]) await reader.received('between')
    // Y2 comes back after it: it gets what the new history holds, from its first event.
    await y2.backTo(a.port)
    await y2.reader.received('between')
    await b.server.hub.publish('events', { data: 'after' })
    for (const reader of [x, y1.reader, y2.reader, z]) await reader.received('after')

    expect([x.gaps.length, y1.reader.gaps.length, y2.reader.gaps.length, z.gaps.length]).toEqual([
      1, 1, 1, 0,
    ])
    for (const reader of [x, y1.reader, y2.reader])
      expect(data(reader)).toEqual(['before', 'between', 'after'])
    expect(data(z)).toEqual(['between', 'after'])
  })
})

describe.each<TransportName>(['sse-fetch', 'websocket'])(
  'no loss, no gap: Redis restarted with its data (%s)',
  (transport) => {
    it('resumes a client the hub refused over and over while Redis was down exactly, with no gap', async () => {
      const redis = await startRedisServer({ appendonly: true })
      cleanups.push(() => redis.close())
      const a = await instance(redis.url)
      const y = await awayableClient(a.port, transport)
      await a.server.hub.publish('events', { data: 'before' })
      await y.reader.received('before')
      await y.away()

      await redis.kill()
      await y.backTo(a.port)
      // The hub cannot read the stream, so it refuses the resume (SSE 503, WebSocket close
      // code 1013): more refusals than resetAfter (2), none of them evidence against the point
      // (the first failure may still be the proxy's).
      const from = y.reader.failures()
      await y.reader.until('refused three times', () => y.reader.failures() >= from + 4)
      await redis.start()
      await ready(a.client)
      await y.reader.until('back', () => y.reader.resumes.length + y.reader.gaps.length > 0)
      await y.reader.open()
      expect(y.reader.gaps).toEqual([])
      expect(y.reader.resumes).toHaveLength(1)
      await a.server.hub.publish('events', { data: 'after' })
      await y.reader.received('after')
      expect(data(y.reader)).toEqual(['before', 'after'])
    })
  },
)
