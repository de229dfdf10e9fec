import { LifelineError } from '@lifeline/core'
import { isEventId, type LogEntry, MAX_ID_BYTES } from '@lifeline/server'
import { describe, expect, it } from 'vitest'
import { type RedisLog, redisLog } from '../src/index'
import { type Client, connect, redisPerFile } from './redis'

const shared = redisPerFile('s')
const { cleanups, fresh } = shared

function logOf(options: { maxLen?: number; client?: Client } = {}): RedisLog {
  const log = redisLog({ client: options.client ?? shared.client, ...options, onError: () => {} })
  cleanups.push(() => log.close())
  return log
}

/** A second instance: its own connection, as another server process would have. */
async function otherInstance(options: { maxLen?: number } = {}) {
  const other = await connect(shared.redis)
  cleanups.push(() => other.close())
  return logOf({ ...options, client: other })
}

/** Whether event id `a` comes after `b` in one epoch (entry ids compared as numbers). */
function after(a: string, b: string): boolean {
  const [msA, seqA] = a.split(':')[1]!.split('-').map(BigInt) as [bigint, bigint]
  const [msB, seqB] = b.split(':')[1]!.split('-').map(BigInt) as [bigint, bigint]
  return msA > msB || (msA === msB && seqA > seqB)
}

/** Appends to `stream` one event after another until `stop()`, which resolves when it has. */
function publishNonStop(log: RedisLog, stream: string) {
  let publishing = true
  const done = (async () => {
    while (publishing) await log.append(stream, { data: 'x' })
  })()
  return {
    stop() {
      publishing = false
      return done
    },
  }
}

/** Collects what a subscription delivers; `count(n)` waits for the n-th entry. */
function record(log: RedisLog, stream: string) {
  const entries: LogEntry[] = []
  const lost: string[] = []
  const wakes = new Set<() => void>()
  const unsubscribe = log.subscribe(
    stream,
    (entry) => {
      entries.push(entry)
      for (const wake of wakes) wake()
    },
    (position) => lost.push(`${position} before entry ${entries.length + 1}`),
  )
  cleanups.push(unsubscribe)
  const count = (n: number) =>
    new Promise<LogEntry[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        wakes.delete(check)
        reject(new Error(`only ${entries.length} of ${n} entries arrived`))
      }, 5_000)
      function check() {
        if (entries.length < n) return
        clearTimeout(timer)
        wakes.delete(check)
        resolve(entries.slice(0, n))
      }
      wakes.add(check)
      check()
    })
  return { entries, lost, count, unsubscribe }
}

describe('redisLog: ids', () => {
  it('assigns increasing, header-safe ids of at most 64 bytes', async () => {
    const log = logOf()
    const stream = fresh()
    const ids: string[] = []
    for (let i = 0; i < 50; i++) ids.push((await log.append(stream, { data: `e${i}` })).id)
    for (const id of ids) {
      expect(isEventId(id)).toBe(true)
      expect(Buffer.byteLength(id)).toBeLessThanOrEqual(MAX_ID_BYTES)
    }
    const read = await log.readAfter(stream, await log.newest(stream), 10)
    expect(read).toEqual({ kind: 'entries', entries: [] })
    expect(new Set(ids).size).toBe(50)
    // Increasing in the log's order: each id's successor is the next one appended.
    for (let i = 0; i < ids.length - 1; i++) {
      const after = await log.readAfter(stream, ids[i]!, 1)
      expect(after.kind === 'entries' && after.entries[0]?.id).toBe(ids[i + 1])
    }
  })

  it('keeps the type and data, and defaults the type to message', async () => {
    const log = logOf()
    const stream = fresh()
    const start = await log.newest(stream)
    const a = await log.append(stream, { type: 'price', data: 'line 1\nline 2' })
    const b = await log.append(stream, { data: '' })
    expect(a).toMatchObject({ type: 'price', data: 'line 1\nline 2' })
    expect(b).toMatchObject({ type: 'message', data: '' })
    expect(await log.readAfter(stream, start, 10)).toEqual({ kind: 'entries', entries: [a, b] })
  })
})

describe('redisLog: readAfter, newest, oldest', () => {
  it('gives a resumable position before the first entry of an empty stream', async () => {
    const log = logOf()
    const stream = fresh()
    const head = await log.newest(stream)
    expect(head).toMatch(/^[0-9a-z]+:0-1$/)
    expect(await log.oldest(stream)).toBeUndefined()
    expect(await log.readAfter(stream, head, 10)).toEqual({ kind: 'entries', entries: [] })
    const first = await log.append(stream, { data: 'first' })
    expect(first.id.split(':')[0]).toBe(head.split(':')[0])
    expect(await log.readAfter(stream, head, 10)).toEqual({ kind: 'entries', entries: [first] })
    expect(await log.newest(stream)).toBe(first.id)
    expect(await log.oldest(stream)).toBe(first.id)
  })

  it('reads the newest entries oldest first with the head, even on an empty stream (from=start)', async () => {
    const log = logOf()
    const stream = fresh()
    const empty = await log.readNewest(stream, 10)
    expect(empty.entries).toEqual([])
    expect(empty.head).toBe(await log.newest(stream))
    const appended: LogEntry[] = []
    for (let i = 0; i < 5; i++) appended.push(await log.append(stream, { data: String(i) }))
    expect(await log.readNewest(stream, 10)).toEqual({ entries: appended, head: appended[4]!.id })
    expect((await log.readNewest(stream, 2)).entries).toEqual(appended.slice(3))
    expect((await log.readNewest(stream, 0)).entries).toEqual([])
  })

  it('returns at most limit entries, oldest first', async () => {
    const log = logOf()
    const stream = fresh()
    const head = await log.newest(stream)
    const appended: LogEntry[] = []
    for (let i = 0; i < 5; i++) appended.push(await log.append(stream, { data: `${i}` }))
    expect(await log.readAfter(stream, head, 3)).toEqual({
      kind: 'entries',
      entries: appended.slice(0, 3),
    })
    expect(await log.readAfter(stream, appended[1]!.id, 100)).toEqual({
      kind: 'entries',
      entries: appended.slice(2),
    })
    expect(await log.readAfter(stream, head, 0)).toEqual({ kind: 'entries', entries: [] })
  })

  it.each([
    ['malformed', 'not an id'],
    ['empty', ''],
    ['without an epoch', '1700000000000-0'],
    ['with leading zeros', 'abc:01-0'],
    ['over 64 bits', 'abc:18446744073709551616-0'],
    ['over 64 bytes', `${'a'.repeat(16)}:${'9'.repeat(20)}-${'9'.repeat(30)}`],
  ])('answers unknown for an id that is %s', async (_, id) => {
    const log = logOf()
    const stream = fresh()
    await log.append(stream, { data: 'x' })
    expect(await log.readAfter(stream, id, 10)).toEqual({ kind: 'unknown' })
  })

  it('answers unknown for an id of its epoch it never issued', async () => {
    const log = logOf()
    const stream = fresh()
    const entry = await log.append(stream, { data: 'x' })
    const [epoch, at] = entry.id.split(':') as [string, string]
    const [ms] = at.split('-')
    expect(await log.readAfter(stream, `${epoch}:${Number(ms) + 1}-0`, 10)).toEqual({
      kind: 'unknown',
    })
  })

  it('answers lost for an id of another epoch, with the newest entries of the current history', async () => {
    const log = logOf()
    const stream = fresh()
    const head = await log.newest(stream)
    const appended: LogEntry[] = []
    for (let i = 0; i < 5; i++) appended.push(await log.append(stream, { data: `${i}` }))
    const [epoch, at] = appended[0]!.id.split(':') as [string, string]
    // All of it from its first entry when it holds no more than the limit.
    expect(await log.readAfter(stream, `zz${epoch}:${at}`, 10)).toEqual({
      kind: 'lost',
      entries: appended,
      head: appended[4]!.id,
    })
    expect(await log.readAfter(stream, `zz${epoch}:${at}`, 2)).toEqual({
      kind: 'lost',
      entries: appended.slice(3),
      head: appended[4]!.id,
    })
    // On a stream with no entries yet: nothing, and the position before the first.
    const empty = fresh()
    const read = await log.readAfter(empty, appended[0]!.id, 10)
    expect(read).toEqual({ kind: 'lost', entries: [], head: await log.newest(empty) })
    expect(head.split(':')[0]).toBe(epoch)
  })

  it('answers unknown once the entries after an id were trimmed, and replays the rest', async () => {
    const log = logOf({ maxLen: 10 })
    const stream = fresh()
    const head = await log.newest(stream)
    const appended: LogEntry[] = []
    for (let i = 0; i < 400; i++) appended.push(await log.append(stream, { data: `${i}` }))
    expect(await log.readAfter(stream, head, 1_000)).toEqual({ kind: 'unknown' })
    expect(await log.readAfter(stream, appended[0]!.id, 1_000)).toEqual({ kind: 'unknown' })
    const oldest = await log.oldest(stream)
    const at = appended.findIndex((entry) => entry.id === oldest)
    // Approximate trimming keeps at least maxLen, in whole radix-tree nodes.
    expect(appended.length - at).toBeGreaterThanOrEqual(10)
    expect(appended.length - at).toBeLessThan(400)
    // The entry right before the oldest retained one is still a valid resume point.
    expect(await log.readAfter(stream, appended[at - 1]!.id, 1_000)).toEqual({
      kind: 'entries',
      entries: appended.slice(at),
    })
    expect(await log.readAfter(stream, appended[at - 2]!.id, 1_000)).toEqual({ kind: 'unknown' })
  })

  it('starts a new epoch when Redis lost the stream, so every old id reads as lost', async () => {
    const log = logOf()
    const stream = fresh()
    const before = await log.append(stream, { data: 'old' })
    const oldHead = await log.newest(stream)
    await shared.client.del([`lifeline:{${stream}}`, `lifeline:{${stream}}:meta`])
    // The read itself starts the new epoch, so the client can be placed in it at once.
    const lost = await log.readAfter(stream, before.id, 10)
    expect(lost).toMatchObject({ kind: 'lost', entries: [] })
    const after = await log.append(stream, { data: 'new' })
    expect(after.id.split(':')[0]).not.toBe(before.id.split(':')[0])
    expect(lost.kind === 'lost' && lost.head.split(':')[0]).toBe(after.id.split(':')[0])
    // Everything of the new epoch came after the loss: the lost read gives it from the start.
    for (const id of [before.id, oldHead])
      expect(await log.readAfter(stream, id, 10)).toEqual({
        kind: 'lost',
        entries: [after],
        head: after.id,
      })
    expect(await log.oldest(stream)).toBe(after.id)
  })

  it('starts a new epoch when only the stream or only its meta survived', async () => {
    const log = logOf()
    const stream = fresh()
    const first = await log.append(stream, { data: 'a' })
    await shared.client.del(`lifeline:{${stream}}`)
    const second = await log.append(stream, { data: 'b' })
    expect(second.id.split(':')[0]).not.toBe(first.id.split(':')[0])
    await shared.client.del(`lifeline:{${stream}}:meta`)
    const third = await log.append(stream, { data: 'c' })
    expect(third.id.split(':')[0]).not.toBe(second.id.split(':')[0])
    // The stale entries went with the old epoch.
    expect(await log.oldest(stream)).toBe(third.id)
  })
})

describe('redisLog: subscribe', () => {
  it('delivers every entry appended on any instance, in order, exactly once', async () => {
    const a = logOf()
    const b = await otherInstance()
    const c = await otherInstance()
    const stream = fresh()
    const onA = record(a, stream)
    const onB = record(b, stream)
    // A read returns once its subscription's loop has started: the hub's order.
    await a.newest(stream)
    await b.newest(stream)
    const ids: string[] = []
    for (let i = 0; i < 60; i++) {
      const log = [a, b, c][i % 3]!
      ids.push((await log.append(stream, { data: `${i}` })).id)
    }
    expect((await onA.count(60)).map((entry) => entry.id)).toEqual(ids)
    expect((await onB.count(60)).map((entry) => entry.id)).toEqual(ids)
    // Nothing more than those 60 arrives: one more append is the next one seen.
    const last = await c.append(stream, { data: 'last' })
    expect((await onA.count(61))[60]?.id).toBe(last.id)
    expect(onA.entries).toHaveLength(61)
  })

  it('delivers an append made right after subscribe returns', async () => {
    const log = logOf()
    const stream = fresh()
    await log.append(stream, { data: 'before' })
    const { count } = record(log, stream)
    const entry = await log.append(stream, { data: 'after' })
    expect(await count(1)).toEqual([entry])
  })

  it('joins replay and live without gap or duplicate while another instance publishes', async () => {
    const reader = logOf()
    const writer = await otherInstance()
    const stream = fresh()
    let resumeAt = (await writer.append(stream, { data: 'seed' })).id
    const publisher = publishNonStop(writer, stream)
    try {
      // Each round does what the hub does: subscribe, read, then drop the held entries the
      // read covered. The result must be exactly the history after the resume point.
      for (let round = 0; round < 20; round++) {
        const held: LogEntry[] = []
        const unsubscribe = reader.subscribe(stream, (entry) => held.push(entry))
        const read = await reader.readAfter(stream, resumeAt, 100_000)
        if (read.kind !== 'entries') throw new Error('resume point unknown')
        const last = read.entries.at(-1)?.id ?? resumeAt
        const seam = held.findIndex((entry) => entry.id === last)
        // The rule the hub relies on: `last` is held, or older than everything held.
        if (seam === -1) expect(held.filter((entry) => !after(entry.id, last))).toEqual([])
        // Let a few more entries through the loop before comparing with the history.
        const target = held.length + 3
        await expect.poll(() => held.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(target)
        unsubscribe()
        const seen = [...read.entries, ...held.slice(seam + 1)].map((entry) => entry.id)
        const history = await reader.readAfter(stream, resumeAt, 100_000)
        if (history.kind !== 'entries') throw new Error('resume point unknown')
        expect(seen).toEqual(history.entries.slice(0, seen.length).map((entry) => entry.id))
        resumeAt = seen.at(-1) ?? resumeAt
      }
    } finally {
      await publisher.stop()
    }
  })

  // The seam the hub relies on, for each read that starts a connection: what the read
  // returns came through the loop already (or was there before the subscription), and
  // nothing at or before it comes through later.
  it.each([
    ['newest', (log: RedisLog, stream: string) => log.newest(stream)],
    [
      'readNewest',
      async (log: RedisLog, stream: string) => {
        const { entries, head } = await log.readNewest(stream, 3)
        expect(entries.at(-1)?.id).toBe(head)
        return head
      },
    ],
  ])('gives %s only once the local loop has delivered up to what it returns', async (_, read) => {
    const reader = logOf()
    const writer = await otherInstance()
    const stream = fresh()
    await writer.append(stream, { data: 'seed' })
    const publisher = publishNonStop(writer, stream)
    try {
      for (let round = 0; round < 20; round++) {
        const held: LogEntry[] = []
        const unsubscribe = reader.subscribe(stream, (entry) => held.push(entry))
        const head = await read(reader, stream)
        const returnedAt = held.length
        if (!held.some((entry) => entry.id === head)) expect(held).toEqual([])
        await expect.poll(() => held.length, { timeout: 5_000 }).toBeGreaterThan(returnedAt + 2)
        unsubscribe()
        for (const entry of held.slice(returnedAt)) expect(after(entry.id, head)).toBe(true)
      }
    } finally {
      await publisher.stop()
    }
  })

  it('tells the subscription once when Redis lost the stream under it, before the new history', async () => {
    const log = logOf()
    const stream = fresh()
    const live = record(log, stream)
    const before = await log.append(stream, { data: 'old' })
    await live.count(1)
    await shared.client.del([`lifeline:{${stream}}`, `lifeline:{${stream}}:meta`])
    const first = await log.append(stream, { data: 'new 1' })
    const second = await log.append(stream, { data: 'new 2' })
    const delivered = await live.count(3)
    expect(delivered.map((entry) => entry.id)).toEqual([before.id, first.id, second.id])
    const epoch = first.id.split(':')[0]
    expect(live.lost).toEqual([`${epoch}:0-1 before entry 2`])
    // The announced position resumes into the new history.
    expect(await log.readAfter(stream, `${epoch}:0-1`, 10)).toMatchObject({
      kind: 'entries',
      entries: [first, second],
    })
  })

  it('gives two subscriptions of one function two deliveries, and stops after unsubscribe', async () => {
    const log = logOf()
    const stream = fresh()
    const seen: string[] = []
    const listener = (entry: LogEntry) => seen.push(entry.data)
    const first = log.subscribe(stream, listener)
    const second = log.subscribe(stream, listener)
    const { count } = record(log, stream)
    await log.append(stream, { data: 'both' })
    await count(1)
    expect(seen).toEqual(['both', 'both'])
    first()
    second()
    await log.append(stream, { data: 'one' })
    await count(2)
    expect(seen).toEqual(['both', 'both'])
  })

  it.each([1, 3])(
    'holds %i wake-up connection(s) however many streams it watches, and closes them on close()',
    async (connections) => {
      const count = async () =>
        String(await shared.client.sendCommand(['CLIENT', 'LIST']))
          .trim()
          .split('\n').length
      const before = await count()
      const log = redisLog({ client: shared.client, connections, onError: () => {} })
      cleanups.push(() => log.close())
      const streams = Array.from({ length: 60 }, () => fresh())
      const recorders = streams.map((stream) => record(log, stream))
      await Promise.all(streams.map((stream) => log.newest(stream)))
      const appended = await Promise.all(streams.map((stream) => log.append(stream, { data: 'x' })))
      for (const [i, recorder] of recorders.entries())
        expect(await recorder.count(1)).toEqual([appended[i]])
      expect(await count()).toBe(before + connections)
      // Unsubscribing every stream keeps the set: it does not grow or shrink with streams.
      for (const recorder of recorders) recorder.unsubscribe()
      expect(await count()).toBe(before + connections)
      await log.close()
      await expect.poll(count).toBe(before)
      expect(() => log.subscribe(fresh(), () => {})).toThrow(LifelineError)
      await expect(log.append(fresh(), { data: 'x' })).rejects.toMatchObject({ code: 'closed' })
    },
  )

  it('rejects options that cannot work', () => {
    expect(() => redisLog({ client: shared.client, maxLen: 0 })).toThrow(LifelineError)
    expect(() => redisLog({ client: shared.client, timeout: 1.5 })).toThrow(LifelineError)
    for (const connections of [0, 17, 1.5])
      expect(() => redisLog({ client: shared.client, connections })).toThrow(LifelineError)
  })
})
