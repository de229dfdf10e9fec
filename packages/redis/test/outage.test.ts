import type { LogEntry } from '@lifeline/server'
import { afterEach, describe, expect, it } from 'vitest'
import { type RedisLog, redisLog } from '../src/index'
import {
  type Client,
  connect,
  eventually,
  type RedisServer,
  ready,
  startRedisServer,
} from './redis'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function setUp(options: { appendonly?: boolean } = {}) {
  const redis = await startRedisServer(options)
  cleanups.push(() => redis.close())
  const instance = async () => {
    const client = await connect(redis)
    cleanups.push(() => client.close())
    const errors: unknown[] = []
    const log = redisLog({ client, timeout: 1_000, onError: (error) => errors.push(error) })
    cleanups.push(() => log.close())
    return { client, log, errors }
  }
  return { redis, a: await instance(), b: await instance() }
}

/**
 * Waits for the entry with `data` on a subscription; resolves with everything delivered.
 * `timeline` has each entry's id and `lost <position>` for each loss of history, in order.
 */
function deliveries(log: RedisLog, stream: string) {
  const entries: LogEntry[] = []
  const timeline: string[] = []
  const wakes = new Set<() => void>()
  cleanups.push(
    log.subscribe(
      stream,
      (entry) => {
        entries.push(entry)
        timeline.push(entry.id)
        for (const wake of wakes) wake()
      },
      (position) => timeline.push(`lost ${position}`),
    ),
  )
  const until = (data: string) =>
    new Promise<LogEntry[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`"${data}" never arrived`)), 5_000)
      const check = () => {
        if (!entries.some((entry) => entry.data === data)) return
        clearTimeout(timer)
        wakes.delete(check)
        resolve(entries)
      }
      wakes.add(check)
      check()
    })
  return { entries, timeline, until }
}

async function restart(redis: RedisServer, clients: Client[]) {
  await redis.start()
  await Promise.all(clients.map(ready))
}

/**
 * Two instances; A subscribes to `s` and sees B publish `before`; then Redis is killed and
 * started again (keeping its data only with `appendonly`), and both clients are ready.
 */
async function seenThenRestarted(options: { appendonly?: boolean } = {}) {
  const { redis, a, b } = await setUp(options)
  const onA = deliveries(a.log, 's')
  await a.log.newest('s')
  const before = await b.log.append('s', { data: 'before' })
  await onA.until('before')
  await redis.kill()
  await restart(redis, [a.client, b.client])
  return { a, b, onA, before }
}

describe('redisLog during a Redis outage', () => {
  it('rejects append, readAfter and newest at once with a connection error, never hangs', async () => {
    const { redis, a } = await setUp()
    const entry = await a.log.append('s', { data: 'x' })
    await redis.kill()
    await expect.poll(() => a.client.isReady).toBe(false)
    const started = Date.now()
    for (const call of [
      a.log.append('s', { data: 'y' }),
      a.log.readAfter('s', entry.id, 10),
      a.log.newest('s'),
      a.log.oldest('s'),
    ])
      await expect(call).rejects.toMatchObject({
        name: 'LifelineError',
        code: 'unavailable',
      })
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('fails a read waiting for a loop that cannot start, within the timeout', async () => {
    const { redis, a } = await setUp()
    await redis.kill()
    await expect.poll(() => a.client.isReady).toBe(false)
    cleanups.push(a.log.subscribe('s', () => {}))
    await expect(a.log.newest('s')).rejects.toMatchObject({ code: 'unavailable' })
  })

  it('recovers after a restart that lost the data: says so, a new epoch, old ids lost, nothing published after recovery lost', async () => {
    const { a, b, onA, before } = await seenThenRestarted()
    const after: string[] = []
    for (let i = 0; i < 5; i++) after.push((await b.log.append('s', { data: `after ${i}` })).id)
    await onA.until('after 4')
    const epoch = after[0]!.split(':')[0]
    expect(epoch).not.toBe(before.id.split(':')[0])
    // The subscription heard of the loss once, before the first entry of the new history.
    expect(onA.timeline).toEqual([before.id, `lost ${epoch}:0-1`, ...after])
    // An old id is lost: the answer is the new history from its first entry.
    expect(await a.log.readAfter('s', before.id, 10)).toMatchObject({
      kind: 'lost',
      entries: after.map((id) => ({ id })),
    })
    // The loop told the app once that Redis went away.
    expect(a.errors.length).toBeGreaterThanOrEqual(1)
  })

  it('tells a subscription of the lost history as soon as Redis is back, before any new entry', async () => {
    const { b, onA, before } = await seenThenRestarted()
    // Nothing is published: the loss is found when the live loop is back, and told once.
    await eventually('the loss told', () => onA.timeline.length === 2)
    expect(onA.timeline[1]).toMatch(/^lost [0-9a-z]+:0-1$/)
    // The notice began the new epoch: the first new entry is in it, right after the position.
    const after = await b.log.append('s', { data: 'after' })
    await onA.until('after')
    expect(onA.timeline).toEqual([before.id, `lost ${after.id.split(':')[0]}:0-1`, after.id])
  })

  it('resumes the loop where it was after a restart that kept the data (appendonly)', async () => {
    const { a, b, onA, before } = await seenThenRestarted({ appendonly: true })
    const after = await b.log.append('s', { data: 'after' })
    await onA.until('after')
    expect(onA.timeline).toEqual([before.id, after.id])
    // Same epoch: a client that saw `before` resumes without a reset.
    expect(await a.log.readAfter('s', before.id, 10)).toEqual({
      kind: 'entries',
      entries: [after],
    })
  })
})
