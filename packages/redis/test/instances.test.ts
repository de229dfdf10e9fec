import { createFaultProxy, type FaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { openRawSse } from '@lifeline/testkit/wire/raw-sse-reader'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RedisLog, redisLog } from '../src/index'
import { type Instance, type InstanceOptions, startInstance } from './instances'
import { startClient, type TransportName } from './reader'
import { connect, type RedisServer, startRedisServer } from './redis'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

let redis: RedisServer
beforeEach(async () => {
  redis = await startRedisServer()
  cleanups.push(() => redis.close())
})

/** Three server processes on one Redis, the fault proxy in front of A, and a log to read Redis. */
async function fleet(options: InstanceOptions = {}) {
  const instances = await Promise.all(
    ['A', 'B', 'C'].map(async (name) => {
      const instance = await startInstance(name, redis, options)
      cleanups.push(() => instance.kill())
      return instance
    }),
  )
  const [a, b, c] = instances as [Instance, Instance, Instance]
  const client = await connect(redis)
  cleanups.push(() => client.close())
  const log: RedisLog = redisLog({ client })
  cleanups.push(() => log.close())
  const proxy: FaultProxy = await createFaultProxy({ upstream: { port: a.port } })
  cleanups.push(() => proxy.close())
  return { a, b, c, log, proxy, url: `${proxy.url}/events` }
}

/** Every event id of `events` after `from`, in Redis's order. */
async function history(log: RedisLog, from: string) {
  const read = await log.readAfter('events', from, 100_000)
  if (read.kind !== 'entries') throw new Error('history unknown')
  return read.entries.map((entry) => entry.id)
}

describe.each<TransportName>(['sse-fetch', 'websocket'])(
  'three server processes on one Redis, %s',
  (transport) => {
    it('moves a client from an instance SIGKILLed mid-stream to another with every event once, in Redis order', async () => {
      const { a, b, c, log, proxy, url } = await fleet()
      const start = await log.newest('events')
      const reader = startClient(url, transport)
      cleanups.push(() => reader.client.close())
      await reader.open()
      const acknowledged: string[] = []
      for (let i = 0; i < 30; i++) acknowledged.push(await [a, b, c][i % 3]!.publish(`e${i}`))
      await reader.received('e29')

      // A publishes until it dies: its last publish may or may not have reached Redis.
      const fromA = (async () => {
        for (let i = 0; i < 10_000; i++) {
          const id = await a.publish(`A${i}`).catch(() => undefined)
          if (id === undefined) return
          acknowledged.push(id)
        }
        throw new Error('A published 10,000 events and was never killed')
      })()
      // B and C publish from before A's death until well after the client resumed on B.
      const publishThroughFailover = async (instance: Instance) => {
        let afterResume = 0
        for (let i = 0; afterResume < 20; i++) {
          if (i === 10_000) throw new Error(`the client did not resume within ${i} events`)
          acknowledged.push(await instance.publish(`${instance.name}${i}`))
          if (reader.resumes.length > 0) afterResume++
        }
      }
      const fromOthers = [publishThroughFailover(b), publishThroughFailover(c)]
      await reader.received('A10')
      await a.kill()
      proxy.setUpstream({ port: b.port })
      await Promise.all([fromA, ...fromOthers])

      const ids = await history(log, start)
      await reader.until('every event in Redis', () => reader.events.length >= ids.length)
      expect(reader.events.map((event) => event.id)).toEqual(ids)
      // Every acknowledged publish is in Redis; besides them at most A's unanswered last one.
      const inRedis = new Set(ids)
      expect(acknowledged.filter((id) => !inRedis.has(id))).toEqual([])
      expect(ids.length - acknowledged.length).toBeLessThanOrEqual(1)
      expect(reader.gaps).toEqual([])
      expect(reader.resumes.length).toBeGreaterThanOrEqual(1)
      expect([...b.errors, ...c.errors]).toEqual([])
    })
  },
)

describe('three server processes on one Redis', () => {
  it('answers a resume point trimmed away with reset, and the client reports a gap', async () => {
    const { b, proxy, url } = await fleet({ maxLen: 10 })
    const reader = startClient(url, 'sse-fetch')
    cleanups.push(() => reader.client.close())
    await reader.open()
    await b.publish('seen')
    await reader.received('seen')
    // Keep the client away while the history it would need is trimmed.
    await proxy.refuse('reset')
    proxy.cutAll()
    await reader.until('reconnecting', () => reader.client.connection.state !== 'open')
    for (let i = 0; i < 300; i++) await b.publish(`missed ${i}`)
    proxy.setUpstream({ port: b.port })
    await proxy.refuse(false)
    await reader.until('gap', () => reader.gaps.length > 0)
    await reader.open()
    await b.publish('after the gap')
    await reader.received('after the gap')
    expect(reader.gaps).toHaveLength(1)
    expect(reader.events.map((event) => event.data)).toEqual(['seen', 'after the gap'])
  })

  it('recovers from a Redis restart: the client hears of the lost history once, and nothing published after the recovery is lost', async () => {
    const { a, b, c, url } = await fleet()
    const reader = startClient(url, 'sse-fetch')
    cleanups.push(() => reader.client.close())
    await reader.open()
    await b.publish('before')
    await reader.received('before')

    await redis.kill()
    await expect(c.publish('lost')).rejects.toMatchObject({ code: 'unavailable' })
    // A client arriving during the outage is answered and let go, not left hanging.
    const during = await openRawSse(`http://127.0.0.1:${c.port}/events`)
    expect(during.status).toBe(503)
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0)
    await during.waitForEnd()

    await redis.start()
    const recovered: string[] = []
    for (const instance of [a, b, c])
      await expect
        .poll(() =>
          instance.publish(`probe ${instance.name}`).then(
            () => true,
            () => false,
          ),
        )
        .toBe(true)
    for (let i = 0; i < 30; i++) recovered.push(await [a, b, c][i % 3]!.publish(`after ${i}`))
    await reader.received('after 29')
    const after = reader.events.filter((event) => event.data.startsWith('after '))
    expect(after.map((event) => event.id)).toEqual(recovered)
    // Redis came back without the stream: whatever it held unread is gone, and the client
    // was told once, on the connection it kept open through the outage.
    expect(reader.gaps).toHaveLength(1)
  })
})
