import { createHub } from '@lifeline/server'
import { createFaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { describe, expect, it } from 'vitest'
import { redisLog } from '../src/index'
import { connect, eventually, redisPerFile } from './redis'

const shared = redisPerFile('key')
const { cleanups, fresh } = shared

/**
 * A hub whose Redis connection runs through a fault proxy: the test can let a publish reach
 * Redis and hold its answer, as when the connection dies after Redis applied the script.
 */
async function hubBehindProxy() {
  const proxy = await createFaultProxy({ upstream: { port: shared.redis.port } })
  cleanups.push(() => proxy.close())
  const client = await connect({ url: `redis://127.0.0.1:${proxy.port}` })
  // Destroyed, not closed: a close would wait for answers the proxy may be holding.
  cleanups.push(() => client.destroy())
  const log = redisLog({ client, timeout: 300, onError: () => {} })
  cleanups.push(() => log.close())
  const hub = createHub({ log })
  // Redis has the script cached from now on, as on any server that published before.
  await hub.publish(fresh(), { data: 'warm-up' })
  return { proxy, hub }
}

/** Every entry Redis holds on `stream`, as the data published. */
async function stored(stream: string) {
  const raw = (await shared.client.sendCommand(['XRANGE', `lifeline:{${stream}}`, '-', '+'])) as [
    string,
    string[],
  ][]
  return raw.map(([, fields]) => fields[fields.indexOf('d') + 1])
}

type Setup = Awaited<ReturnType<typeof hubBehindProxy>>

/**
 * Publishes with the answer lost on the way back (the connection then dies), and retries as
 * an app would until a publish succeeds. Resolves with the first failure and the id.
 */
async function publishAndRetry(setup: Setup, stream: string, key: string | undefined) {
  const { proxy, hub } = setup
  const publish = () =>
    hub.publish(stream, { data: 'order 17' }, key === undefined ? undefined : { key })
  proxy.stallAll({ direction: 'downstream' })
  const error = await publish().then(
    () => undefined,
    (failure: unknown) => failure,
  )
  // Redis applied it: the entry is there although the publish failed.
  await eventually('the entry in Redis', async () => (await stored(stream)).length === 1)
  proxy.cutAll()
  for (let attempt = 1; ; attempt++) {
    try {
      return { error, id: await publish() }
    } catch (failure) {
      if (attempt === 50) throw failure
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

describe('idempotent publish on Redis', () => {
  it('stores a publish retried with its key once, when the first answer was lost after Redis applied it', async () => {
    const setup = await hubBehindProxy()
    const stream = fresh()
    const { error, id } = await publishAndRetry(setup, stream, 'order-17')
    expect(error).toMatchObject({ code: 'unavailable' })
    expect(await stored(stream)).toEqual(['order 17'])
    const read = await setup.hub.publish(stream, { data: 'order 17' }, { key: 'order-17' })
    expect(read).toBe(id)
    expect(await stored(stream)).toEqual(['order 17'])
  })

  it('stores a publish retried without a key twice: at-least-once', async () => {
    const setup = await hubBehindProxy()
    const stream = fresh()
    const { error } = await publishAndRetry(setup, stream, undefined)
    expect(error).toMatchObject({ code: 'unavailable' })
    expect(await stored(stream)).toEqual(['order 17', 'order 17'])
  })

  it('keeps keys per stream, returns the stored event, and forgets a key once its event is trimmed', async () => {
    const log = redisLog({ client: shared.client, maxLen: 10, onError: () => {} })
    cleanups.push(() => log.close())
    const [a, b] = [fresh(), fresh()]
    const first = await log.append(a, { type: 'order', data: 'v1' }, { key: 'k' })
    expect(await log.append(a, { data: 'v2' }, { key: 'k' })).toEqual(first)
    expect((await log.append(b, { data: 'v1' }, { key: 'k' })).id).not.toBe(first.id)
    for (let i = 0; i < 300; i++) await log.append(a, { data: `${i}` }, { key: `n${i}` })
    const oldest = await log.oldest(a)
    expect(oldest).not.toBe(first.id)
    // Trimmed: the key stores a new event; a retained one still answers with its event.
    const again = await log.append(a, { data: 'v3' }, { key: 'k' })
    expect(again).toMatchObject({ type: 'message', data: 'v3' })
    expect(again.id).not.toBe(first.id)
    expect((await log.append(a, { data: 'x' }, { key: 'n299' })).data).toBe('299')
    // The keys of trimmed events are dropped from Redis as the stream is trimmed.
    const keys = Number(await shared.client.sendCommand(['ZCARD', `lifeline:{${a}}:keys`]))
    expect(keys).toBeLessThan(200)
  })

  it('delivers a repeated key to subscribers once', async () => {
    const log = redisLog({ client: shared.client, onError: () => {} })
    cleanups.push(() => log.close())
    const stream = fresh()
    const seen: string[] = []
    cleanups.push(log.subscribe(stream, (entry) => seen.push(entry.data)))
    await log.newest(stream)
    await log.append(stream, { data: 'a' }, { key: 'k' })
    await log.append(stream, { data: 'a' }, { key: 'k' })
    const last = await log.append(stream, { data: 'b' })
    await log.readAfter(stream, last.id, 1)
    expect(seen).toEqual(['a', 'b'])
  })
})
