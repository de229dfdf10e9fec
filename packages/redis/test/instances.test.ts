import { createFaultProxy, type FaultProxy } from '@lifeline/testkit/fault-proxy'
import { openRawSse } from '@lifeline/testkit/raw-sse-reader'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Instance, startClient, startInstance, type TransportName } from './instances'
import { type RedisServer, startRedisServer } from './redis'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

let redis: RedisServer
beforeEach(async () => {
  redis = await startRedisServer()
  cleanups.push(() => redis.close())
})

async function fleet(options: { maxLen?: number } = {}) {
  const instances: Instance[] = []
  for (const name of ['A', 'B', 'C']) {
    const instance = await startInstance(name, redis, options)
    cleanups.push(() => instance.close())
    instances.push(instance)
  }
  const [a, b, c] = instances as [Instance, Instance, Instance]
  const proxy: FaultProxy = await createFaultProxy({ upstream: { port: a.port } })
  cleanups.push(() => proxy.close())
  return { a, b, c, proxy, url: `${proxy.url}/events` }
}

/** Every event of `stream` in Redis's order, as any instance replays it. */
async function history(instance: Instance, stream: string, from: string) {
  const read = await instance.log.readAfter(stream, from, 100_000)
  if (read.kind !== 'entries') throw new Error('history unknown')
  return read.entries.map((entry) => entry.id)
}

describe.each<TransportName>(['sse-fetch', 'websocket'])(
  'three instances on one Redis, %s',
  (transport) => {
    it('moves a client from a killed instance to another with every event once, in order', async () => {
      const { a, b, c, proxy, url } = await fleet()
      const start = await a.log.newest('events')
      const reader = startClient(url, transport)
      cleanups.push(() => reader.client.close())
      await reader.open()

      // Publish round robin on every live instance while A dies part way through.
      const live = [a, b, c]
      let published = 0
      const publish = async (count: number) => {
        for (let i = 0; i < count; i++, published++)
          await live[published % live.length]!.hub.publish('events', { data: `e${published}` })
      }
      await publish(30)
      await reader.received('e29')
      const publishing = publish(30)
      proxy.setUpstream({ port: b.port })
      live.splice(0, 1)
      await a.kill()
      await publishing
      await publish(30)
      await reader.received('e89')

      const ids = reader.events.map((event) => event.id)
      expect(ids).toEqual(await history(b, 'events', start))
      expect(ids).toHaveLength(90)
      expect(reader.gaps).toEqual([])
      expect(reader.resumes.length).toBeGreaterThanOrEqual(1)
      expect(b.errors).toEqual([])
    })
  },
)

describe('three instances on one Redis', () => {
  it('answers a resume point trimmed away with reset, and the client reports a gap', async () => {
    const { b, proxy, url } = await fleet({ maxLen: 10 })
    const reader = startClient(url, 'sse-fetch')
    cleanups.push(() => reader.client.close())
    await reader.open()
    await b.hub.publish('events', { data: 'seen' })
    await reader.received('seen')
    // Keep the client away while the history it would need is trimmed.
    await proxy.refuse('reset')
    proxy.cutAll()
    await reader.until('reconnecting', () => reader.client.connection.state !== 'open')
    for (let i = 0; i < 300; i++) await b.hub.publish('events', { data: `missed ${i}` })
    proxy.setUpstream({ port: b.port })
    await proxy.refuse(false)
    await reader.until('gap', () => reader.gaps.length > 0)
    await reader.open()
    await b.hub.publish('events', { data: 'after the gap' })
    await reader.received('after the gap')
    expect(reader.gaps).toHaveLength(1)
    expect(reader.events.map((event) => event.data)).toEqual(['seen', 'after the gap'])
  })

  it('recovers from a Redis restart: nothing published after the recovery is lost', async () => {
    const { a, b, c, url } = await fleet()
    const reader = startClient(url, 'sse-fetch')
    cleanups.push(() => reader.client.close())
    await reader.open()
    await b.hub.publish('events', { data: 'before' })
    await reader.received('before')

    await redis.kill()
    await expect(c.hub.publish('events', { data: 'lost' })).rejects.toMatchObject({
      code: 'unavailable',
    })
    // A client arriving during the outage is answered and let go, not left hanging.
    const during = await openRawSse(`http://127.0.0.1:${c.port}/events`)
    await during.waitForEnd()

    await redis.start()
    const recovered: string[] = []
    for (const instance of [a, b, c])
      await expect
        .poll(() =>
          instance.hub.publish('events', { data: `probe ${instance.name}` }).then(
            () => true,
            () => false,
          ),
        )
        .toBe(true)
    for (let i = 0; i < 30; i++) {
      const instance = [a, b, c][i % 3]!
      recovered.push(await instance.hub.publish('events', { data: `after ${i}` }))
    }
    await reader.received('after 29')
    const after = reader.events.filter((event) => event.data.startsWith('after '))
    expect(after.map((event) => event.id)).toEqual(recovered)
  })
})
