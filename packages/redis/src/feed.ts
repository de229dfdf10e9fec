import { LifelineError } from '@lifeline/core'
import type { HistoryLost, LogEntry } from '@lifeline/server'
import type { RedisLogClient, RedisLogConnection } from './client'
import { fieldOf, type RawEntry, toLogEntry } from './entries'
import { compareEntryIds, formatId } from './entry-id'
import { unavailableError } from './errors'
import { HEAD, RESUME, runScript } from './scripts'

/** Entries one XREAD returns at most; a lagging loop catches up in batches this size. */
const BATCH = 512
/** Ms one XREAD blocks; a finite block lets the command timeout catch a dead socket. */
const BLOCK_MS = 10_000
const MAX_BACKOFF_MS = 2_000
/** Delivered ids a loop remembers, to find where it stands in a history that lost a tail. */
const RECENT = 16

/** What a feed needs from its log. */
export interface FeedOptions {
  client: RedisLogClient
  stream: string
  keys: { stream: string; meta: string }
  /** Ms a Redis command or a wait may take. */
  timeout: number
  onError(error: LifelineError): void
}

/** One local subscription to a feed. */
export interface FeedListener {
  entry(entry: LogEntry): void
  historyLost: HistoryLost
}

/**
 * One stream's live fan-out in this process: a blocking XREAD loop on its own connection
 * that hands every new entry to the local listeners, in Redis's order, exactly once, and
 * tells them when Redis lost the history they were reading.
 */
export interface Feed {
  readonly listeners: Set<FeedListener>
  /** Resolves once the loop knows where it starts; reads wait for it (see `redisLog`). */
  started(): Promise<void>
  /** Resolves once every entry of `epoch` up to `entry` has gone to the listeners. */
  reached(epoch: string, entry: string): Promise<void>
  /** Ends the loop, closes its connection, and releases every wait. */
  stop(): void
}

interface Waiter {
  ready(): boolean
  resolve(): void
  reject(error: LifelineError): void
  timer: ReturnType<typeof setTimeout>
}

type FeedState = 'starting' | 'running' | 'stopped'

/** The reply of XREAD on one key (RESP2): `[[key, entries]]`, or null on timeout. */
function entriesOf(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply)) return []
  const [first] = reply as [string, RawEntry[]][]
  return first?.[1] ?? []
}

/**
 * Starts the feed of one stream. Its start position is read on the app's client before this
 * returns, so an append this process issues after `subscribe` returns is ordered after it
 * on the same connection and reaches the listeners.
 */
export function startFeed(options: FeedOptions): Feed {
  const { client, keys, timeout } = options
  const listeners = new Set<FeedListener>()
  const waiters = new Set<Waiter>()
  /** Epochs this loop has moved past: a read from one of them waits for nothing. */
  const retired = new Set<string>()
  let state: FeedState = 'starting'
  let epoch: string | undefined
  let cursor = '0-0'
  let connection: RedisLogConnection | undefined
  /** Whether the next step first asks Redis if the cursor is still in its history. */
  let recheck = false
  /** History was lost and the new epoch is not known yet: its first entry tells. */
  let lostUnannounced = false
  /** The last {@link RECENT} ids delivered, a ring; `recentCount` counts since the last move. */
  const recent: string[] = []
  let recentCount = 0
  let failures = 0
  let pause: { timer: ReturnType<typeof setTimeout>; resolve(): void } | undefined

  const settle = () => {
    for (const waiter of waiters) {
      if (!waiter.ready()) continue
      clearTimeout(waiter.timer)
      waiters.delete(waiter)
      waiter.resolve()
    }
  }

  const wait = (what: string, ready: () => boolean): Promise<void> => {
    if (ready() || state === 'stopped') return Promise.resolve()
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        ready,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter)
          reject(unavailableError(`${what} on stream "${options.stream}" (live loop behind)`))
        }, timeout),
      }
      waiters.add(waiter)
    })
  }

  const listenerThrew = (what: string, error: unknown) =>
    options.onError(
      new LifelineError('handler', `redis log: a listener threw on ${what}`, { cause: error }),
    )

  const announceLoss = (position: string) => {
    lostUnannounced = false
    for (const listener of listeners) {
      try {
        listener.historyLost(position)
      } catch (error) {
        listenerThrew('history lost', error)
      }
    }
  }

  /**
   * Moves the loop to `position` in `next`, Redis's history now. What the listeners had
   * is no longer all there (Redis lost the stream, dropped a tail, or trimmed entries while
   * the loop was away), so they are told — unless the loop had no history yet.
   */
  const moveTo = (next: string | undefined, position: string) => {
    const had = epoch
    if (had !== undefined && had !== next) retired.add(had)
    epoch = next
    cursor = position
    recentCount = 0
    // A loss not announced yet (an earlier outage) still is, whatever came between.
    if (had === undefined && !lostUnannounced) return
    if (next === undefined) lostUnannounced = true
    else announceLoss(formatId(next, position))
  }

  const deliver = (raw: RawEntry[]) => {
    for (const entry of raw) {
      const entryEpoch = fieldOf(entry, 'e')
      if (entryEpoch === undefined) continue
      if (epoch !== undefined && entryEpoch !== epoch) {
        // Redis lost the stream and a new epoch began: the next step finds where to go on.
        recheck = true
        return
      }
      const before = fieldOf(entry, 'p')
      if (epoch === undefined) {
        epoch = entryEpoch
        if (lostUnannounced) announceLoss(formatId(entryEpoch, before ?? cursor))
      } else if (before !== undefined && before !== cursor) {
        // Each entry names its predecessor: this one does not follow the last one delivered,
        // so Redis trimmed entries this loop had not read yet (it fell over maxLen behind).
        announceLoss(formatId(entryEpoch, before))
      }
      cursor = entry[0]
      recent[recentCount++ % RECENT] = cursor
      const logEntry = toLogEntry(entryEpoch, entry)
      for (const listener of listeners) {
        try {
          listener.entry(logEntry)
        } catch (error) {
          listenerThrew('an entry', error)
        }
      }
    }
  }

  /** Takes the stream's epoch and newest id (`HEAD`'s reply) as the start. */
  const begin = (head: unknown) => {
    if (state !== 'starting') return
    const [found, newest] = head as [string, string]
    epoch = found === '' ? undefined : found
    cursor = newest
    state = 'running'
    settle()
  }

  /** Where the loop stands, then what it delivered before, newest first: RESUME's ARGV. */
  const resumeArgs = () => {
    const ids = [epoch ?? '', cursor]
    for (let i = recentCount - 1; i >= Math.max(0, recentCount - RECENT); i--) {
      const id = recent[i % RECENT]!
      if (id !== cursor) ids.push(id)
    }
    return ids
  }

  const open = async (): Promise<RedisLogConnection> => {
    // RESP2 whatever the app chose: XREAD's reply shape is then always nested arrays.
    const next = client.duplicate({ RESP: 2 })
    next.on('error', () => {})
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      await Promise.race([
        next.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('connect timed out')), timeout)
        }),
      ])
    } catch (error) {
      next.destroy()
      throw error
    } finally {
      clearTimeout(timer)
    }
    if (state === 'stopped') {
      next.destroy()
      throw new Error('stopped')
    }
    return next
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      pause = { timer: setTimeout(resolve, ms), resolve }
    })

  const step = async () => {
    if (state === 'starting') {
      if (!client.isReady) throw new Error('client not ready')
      begin(await client.sendCommand(headCommand, { timeout, typeMapping: {} }))
    }
    connection ??= await open()
    if (recheck) {
      const place = [keys.stream, keys.meta]
      const reply = await runScript(connection, RESUME, place, resumeArgs(), timeout)
      const [found, position] = reply as [string, string]
      const next = found === '' ? undefined : found
      if (next !== epoch || position !== cursor) moveTo(next, position)
      recheck = false
    }
    const command = ['XREAD', 'COUNT', String(BATCH), 'BLOCK', String(BLOCK_MS)]
    const reply = await connection.sendCommand([...command, 'STREAMS', keys.stream, cursor], {
      timeout: BLOCK_MS + timeout,
    })
    if (state === 'stopped') return
    deliver(entriesOf(reply))
    settle()
  }

  // A function, not a narrowed comparison: `stop()` may run during any await.
  const stopped = () => state === 'stopped'

  const run = async () => {
    while (!stopped()) {
      try {
        await step()
        failures = 0
      } catch (error) {
        if (stopped()) return
        // One report per outage, not one per retry.
        if (failures === 0) options.onError(unavailableError('the live loop', error))
        connection?.destroy()
        connection = undefined
        recheck = state === 'running'
        await sleep(Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures++))
      }
    }
  }

  // EVAL with the source, not EVALSHA: it must leave now, and the SHA may not be computed yet.
  const headCommand = ['EVAL', HEAD.source, '2', keys.stream, keys.meta]
  // Sent now, not in the loop: see the ordering note above.
  const head = client.isReady
    ? client.sendCommand(headCommand, { timeout, typeMapping: {} })
    : undefined
  void (async () => {
    try {
      if (head !== undefined) begin(await head)
    } catch {
      // The loop retries the start after a pause.
    }
    await run()
  })()

  return {
    listeners,
    started: () => wait('start', () => state === 'running'),
    reached: (at, entry) =>
      wait(
        'catching up',
        () =>
          state === 'running' &&
          ((epoch === at && compareEntryIds(cursor, entry) >= 0) || retired.has(at)),
      ),
    stop() {
      if (state === 'stopped') return
      state = 'stopped'
      if (pause !== undefined) {
        clearTimeout(pause.timer)
        pause.resolve()
      }
      connection?.destroy()
      connection = undefined
      for (const waiter of waiters) {
        clearTimeout(waiter.timer)
        waiter.resolve()
      }
      waiters.clear()
    },
  }
}
