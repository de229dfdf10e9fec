import { createHub } from '@lifeline/server'
import { createFaultProxy, type FaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { afterEach, describe, expect, it } from 'vitest'
import { redisLog } from '../src/index'
import { startClient } from './reader'
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
  const server = await startHubServer({ hub: createHub({ log, retry: 50, heartbeat: 1_000 }) })
  cleanups.push(() => server.close({ timeout: 100 }))
  return { client, log, server, port: Number(new URL(server.url).port) }
}

/** A client behind its own fault proxy, which the test can keep away and send elsewhere. */
async function awayableClient(port: number) {
  const proxy: FaultProxy = await createFaultProxy({ upstream: { port } })
  cleanups.push(() => proxy.close())
  const reader = startClient(`${proxy.url}/events`, 'sse-fetch')
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
