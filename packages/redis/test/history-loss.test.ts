import type { LogEntry } from '@lifeline/server'
import { describe, expect, it } from 'vitest'
import type { RedisLogClient } from '../src/client'
import { type RedisLog, redisLog } from '../src/index'
import { type Client, eventually, redisPerFile } from './redis'

const shared = redisPerFile('loss')
const { cleanups, fresh } = shared

/**
 * The app's client, except that the test can cut the log's wake-up connections (as Redis
 * would: the client sees its socket close) and hold their reconnect back (`away`), or hold
 * the live loop's reads back (`behind`): the loop misses what Redis does for as long as the
 * test needs.
 */
function awayable(base: Client) {
  let gate: Promise<void> | undefined
  let open = () => {}
  let reads: Promise<void> | undefined
  let resumeReads = () => {}
  let readsSent = 0
  const wrapped: RedisLogClient = {
    get isReady() {
      return base.isReady
    },
    async sendCommand(args, options) {
      // The live loop's reads of what follows its cursor.
      if (args[0] === 'XRANGE') {
        await reads
        readsSent++
      }
      return base.sendCommand(args, options)
    },
    duplicate() {
      const connection = base.duplicate()
      return {
        async connect() {
          await gate
          await connection.connect()
        },
        sSubscribe: (channels, listener) => connection.sSubscribe(channels, listener),
        sUnsubscribe: (channels, listener) => connection.sUnsubscribe(channels, listener),
        sendCommand: (args, options) => connection.sendCommand(args, options),
        destroy: () => connection.destroy(),
        on: (event, listener) => connection.on(event, listener),
      }
    },
  }
  return {
    client: wrapped,
    async away() {
      gate = new Promise((resolve) => {
        open = resolve
      })
      await base.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub'])
    },
    /** Keeps the live loop from sending its next read until `back`: it falls behind. */
    behind() {
      reads = new Promise((resolve) => {
        resumeReads = resolve
      })
    },
    back() {
      gate = undefined
      open()
      reads = undefined
      resumeReads()
    },
    /** Reads the loop has sent: one more after `back` means the loop is reading again. */
    readsSent: () => readsSent,
  }
}

/** A log on an awayable client; `timeline` has each entry's id and `lost <position>`. */
function watchedLog(options: { maxLen?: number } = {}) {
  const loop = awayable(shared.client)
  const log: RedisLog = redisLog({ client: loop.client, ...options, onError: () => {} })
  cleanups.push(() => log.close())
  const stream = fresh()
  const timeline: string[] = []
  cleanups.push(
    log.subscribe(
      stream,
      (entry) => timeline.push(entry.id),
      (position) => timeline.push(`lost ${position}`),
    ),
  )
  return { log, stream, timeline, ...loop }
}

const keysOf = (stream: string) => ({
  key: `lifeline:{${stream}}`,
  meta: `lifeline:{${stream}}:meta`,
})
const entryOf = (id: string) => id.slice(id.indexOf(':') + 1)
const epochOf = (id: string) => id.slice(0, id.indexOf(':'))

/**
 * Waits into a later millisecond than every id issued so far. Right after a dropped tail,
 * Redis issues the next id after the newest kept one, which in the same millisecond is the
 * id a dropped entry had: an id collision no log can see (documented in scaling.md).
 */
const laterMillisecond = () => new Promise((resolve) => setTimeout(resolve, 5))

/** What a replica promoted before it had `lost` leaves: the stream without those entries. */
async function dropTail(stream: string, lost: LogEntry[], newest: LogEntry) {
  const { key, meta } = keysOf(stream)
  await shared.client.sendCommand(['XDEL', key, ...lost.map((entry) => entryOf(entry.id))])
  await shared.client.sendCommand(['XSETID', key, entryOf(newest.id)])
  await shared.client.sendCommand(['HSET', meta, 'last', entryOf(newest.id)])
}

/**
 * What a promoted replica whose clock runs behind appends right after `newest`: an entry
 * whose id sorts between `newest` and whatever the old primary issued after it. Resolves
 * with its event id.
 */
async function appendSkewed(stream: string, newest: LogEntry): Promise<string> {
  const { key, meta } = keysOf(stream)
  const [ms, seq] = entryOf(newest.id).split('-') as [string, string]
  const skewed = `${ms}-${Number(seq) + 1}`
  const fields = ['e', epochOf(newest.id), 'p', entryOf(newest.id), 't', 'message', 'd', 'skewed']
  await shared.client.sendCommand(['XADD', key, skewed, ...fields])
  await shared.client.sendCommand(['HSET', meta, 'last', skewed])
  return `${epochOf(newest.id)}:${skewed}`
}

/**
 * Appends 400 entries to a log with `maxLen` 10, so Redis trims past the first of them;
 * resolves with them and the index of the oldest one kept (never the first).
 */
async function appendPastMaxLen(log: RedisLog, stream: string) {
  const appended: LogEntry[] = []
  for (let i = 0; i < 400; i++) appended.push(await log.append(stream, { data: `${i}` }))
  const oldest = await log.oldest(stream)
  const at = appended.findIndex((entry) => entry.id === oldest)
  expect(at).toBeGreaterThan(0)
  return { appended, at }
}

describe('redisLog: history lost under a live loop', () => {
  it('tells the listeners once when entries were trimmed while the loop was away, and goes on from the oldest kept', async () => {
    const { log, stream, timeline, away, back } = watchedLog({ maxLen: 10 })
    const seen = await log.append(stream, { data: 'seen' })
    await eventually('the first entry', () => timeline.length === 1)
    await away()
    const { appended, at } = await appendPastMaxLen(log, stream)
    back()
    await eventually('the newest entry', () => timeline.at(-1) === appended.at(-1)!.id)
    const position = appended[at - 1]!.id
    expect(timeline).toEqual([
      seen.id,
      `lost ${position}`,
      ...appended.slice(at).map((entry) => entry.id),
    ])
    // The announced position is one a client can resume from.
    expect(await log.readAfter(stream, position, 1_000)).toEqual({
      kind: 'entries',
      entries: appended.slice(at),
    })
  })

  it('tells the listeners once when entries were trimmed before a connected loop read them', async () => {
    const { log, stream, timeline, behind, back } = watchedLog({ maxLen: 10 })
    await log.append(stream, { data: 'seen' })
    await eventually('the first entry', () => timeline.length === 1)
    behind()
    const { appended, at } = await appendPastMaxLen(log, stream)
    back()
    await eventually('the newest entry', () => timeline.at(-1) === appended.at(-1)!.id)
    const lost = timeline.findIndex((line) => line.startsWith('lost '))
    // Before the notice, what the read already in flight got; after it, everything kept.
    expect(timeline.slice(1, lost)).toEqual(appended.slice(0, lost - 1).map((entry) => entry.id))
    expect(timeline.slice(lost)).toEqual([
      `lost ${appended[at - 1]!.id}`,
      ...appended.slice(at).map((entry) => entry.id),
    ])
  })

  it('tells the listeners once when Redis dropped a tail they had, then delivers what follows', async () => {
    const { log, stream, timeline, away, back } = watchedLog()
    const [a, b, c] = [
      await log.append(stream, { data: 'a' }),
      await log.append(stream, { data: 'b' }),
      await log.append(stream, { data: 'c' }),
    ]
    await eventually('three entries', () => timeline.length === 3)
    await away()
    await dropTail(stream, [c!], b!)
    back()
    await laterMillisecond()
    const d = await log.append(stream, { data: 'd' })
    await eventually('d', () => timeline.at(-1) === d.id)
    expect(timeline).toEqual([a!.id, b!.id, c!.id, `lost ${b!.id}`, d.id])
  })

  it('tells the listeners of a loss even when a second outage comes before the new history', async () => {
    const { log, stream, timeline, away, back, readsSent } = watchedLog()
    const old = await log.append(stream, { data: 'old' })
    await eventually('the first entry', () => timeline.length === 1)
    // Redis comes back empty; the loop reconnects and finds no history yet.
    await away()
    await shared.client.del([keysOf(stream).key, keysOf(stream).meta])
    const before = readsSent()
    back()
    await eventually('the loop reading again', () => readsSent() > before)
    // Another outage, during which the new history begins.
    await away()
    const next = await log.append(stream, { data: 'new' })
    back()
    await eventually('the new entry', () => timeline.at(-1) === next.id)
    expect(timeline).toEqual([old.id, `lost ${epochOf(next.id)}:0-1`, next.id])
  })

  it('does not read a stream whose meta is gone as new history', async () => {
    const { log, stream, timeline, away, back, readsSent } = watchedLog()
    const a = await log.append(stream, { data: 'a' })
    const b = await log.append(stream, { data: 'b' })
    await eventually('two entries', () => timeline.length === 2)
    await away()
    await shared.client.del(keysOf(stream).meta)
    const before = readsSent()
    back()
    await eventually('the loop reading again', () => readsSent() > before)
    // The next append finds no intact history: it starts a new epoch.
    await laterMillisecond()
    const c = await log.append(stream, { data: 'c' })
    await eventually('c', () => timeline.at(-1) === c.id)
    expect(timeline).toEqual([a.id, b.id, `lost ${epochOf(c.id)}:0-1`, c.id])
  })

  it('goes on after the newest entry it delivered that survived, when a replica with a slower clock took over', async () => {
    const { log, stream, timeline, away, back } = watchedLog()
    const a = await log.append(stream, { data: 'a' })
    await laterMillisecond()
    const lost = await log.append(stream, { data: 'lost' })
    await eventually('two entries', () => timeline.length === 2)
    await away()
    await dropTail(stream, [lost], a)
    const skewed = await appendSkewed(stream, a)
    back()
    await laterMillisecond()
    const after = await log.append(stream, { data: 'after' })
    await eventually('after', () => timeline.at(-1) === after.id)
    // Not from the skewed entry, which sorts before `lost`: the loop never had it.
    expect(timeline).toEqual([a.id, lost.id, `lost ${a.id}`, skewed, after.id])
  })

  it('keeps the loop where it was when nothing changed while it was away', async () => {
    const { log, stream, timeline, away, back } = watchedLog()
    const a = await log.append(stream, { data: 'a' })
    await eventually('a', () => timeline.length === 1)
    await away()
    const b = await log.append(stream, { data: 'b' })
    back()
    await eventually('b', () => timeline.length === 2)
    expect(timeline).toEqual([a.id, b.id])
  })
})

describe('redisLog: resuming after a dropped tail', () => {
  it('answers unknown for an id Redis dropped, even once newer entries sort after it', async () => {
    const log = redisLog({ client: shared.client, onError: () => {} })
    cleanups.push(() => log.close())
    const stream = fresh()
    const a = await log.append(stream, { data: 'a' })
    const b = await log.append(stream, { data: 'b' })
    await dropTail(stream, [b], a)
    await laterMillisecond()
    const c = await log.append(stream, { data: 'c' })
    expect(await log.readAfter(stream, b.id, 10)).toEqual({ kind: 'unknown' })
    expect(await log.readAfter(stream, a.id, 10)).toEqual({ kind: 'entries', entries: [c] })
  })

  it('answers unknown when a promoted replica with a slower clock added entries that sort before it', async () => {
    const log = redisLog({ client: shared.client, onError: () => {} })
    cleanups.push(() => log.close())
    const stream = fresh()
    const a = await log.append(stream, { data: 'a' })
    // So that an id between the two exists.
    await laterMillisecond()
    const lost = await log.append(stream, { data: 'lost' })
    await dropTail(stream, [lost], a)
    const skewed = await appendSkewed(stream, a)
    await laterMillisecond()
    const after = await log.append(stream, { data: 'after' })
    // Reading after `lost` would skip `skewed`: the client must hear of the gap instead.
    expect(await log.readAfter(stream, lost.id, 10)).toEqual({ kind: 'unknown' })
    expect(await log.readAfter(stream, a.id, 10)).toEqual({
      kind: 'entries',
      entries: [{ id: skewed, type: 'message', data: 'skewed' }, after],
    })
  })
})
