import { LifelineError } from '@lifeline/core'
import type { EventLog, HistoryLost, LogEntry, NewEvent, ReadResult } from '@lifeline/server'
import type { RedisLogClient } from './client'
import { type RawEntry, toLogEntry } from './entries'
import { compareEntryIds, formatId, newEpoch, ORIGIN, parseId } from './entry-id'
import { closedError, unavailableError } from './errors'
import { type Feed, type FeedListener, startFeed } from './feed'
import { APPEND, NEWEST, OLDEST, READ, runScript, type Script } from './scripts'

/**
 * Options of {@link redisLog}.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect()
 * redisLog({ client, maxLen: 100_000, prefix: 'app:events:', timeout: 3_000 })
 * ```
 */
export interface RedisLogOptions {
  /**
   * A connected node-redis client (`createClient()` of `redis` v5). Appends and reads go
   * through it; each stream with live subscribers gets one `client.duplicate()` for its
   * blocking XREAD. The app connects and closes it.
   */
  client: RedisLogClient
  /**
   * Entries kept per stream, trimmed approximately (`XADD … MAXLEN ~`): Redis keeps at least
   * this many, a little more between trims. A resume point older than what is kept gets
   * `reset`. Default 10,000, as `memoryLog`.
   */
  maxLen?: number
  /** Prefix of every key: `<prefix>{<stream>}` and `<prefix>{<stream>}:meta`. Default `'lifeline:'`. */
  prefix?: string
  /**
   * Ms a Redis command may take, and a read may wait for the live loop to catch up, before
   * it fails with a `connection` error. Default 5,000.
   */
  timeout?: number
  /** Told when the live loop loses Redis (once per outage) or a listener throws. */
  onError?: (error: LifelineError) => void
}

/** An {@link EventLog} on Redis Streams, with `close()` for the connections it opened. */
export interface RedisLog extends EventLog {
  /** Stops every live loop and closes their connections; the app's client stays open. */
  close(): Promise<void>
}

function positiveInteger(name: string, value: number) {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new LifelineError('invalid-option', `redisLog ${name} must be a positive integer`)
  return value
}

/**
 * An event log on Redis Streams, so many server instances share one history and one
 * fan-out. Each Lifeline stream is a Redis stream; `XADD … MAXLEN ~` in a Lua script
 * assigns the id atomically with the stream's epoch, kept beside it in Redis. Event ids are
 * `<epoch>:<entry id>`: when Redis loses the stream, a new epoch makes every old id unknown,
 * so resuming clients get `reset` instead of the wrong events.
 *
 * @example
 * ```ts
 * import { createHub } from '@lifeline/server'
 * import { redisLog } from '@lifeline/redis'
 * import { createClient } from 'redis'
 *
 * const client = await createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }).connect()
 * const log = redisLog({ client, maxLen: 10_000 })
 * const hub = createHub({ log })
 * // on shutdown: await hub.close(); await log.close(); await client.close()
 * ```
 */
export function redisLog(options: RedisLogOptions): RedisLog {
  const { client } = options
  const maxLen = positiveInteger('maxLen', options.maxLen ?? 10_000)
  const timeout = positiveInteger('timeout', options.timeout ?? 5_000)
  const prefix = options.prefix ?? 'lifeline:'
  const onError =
    options.onError ?? ((error: LifelineError) => console.error('[lifeline] redis log', error))
  const feeds = new Map<string, Feed>()
  let closed = false

  // The hash tag keeps a stream and its meta in one slot, as Redis Cluster needs for a script.
  const keysOf = (stream: string) => {
    const base = `${prefix}{${stream}}`
    return { stream: base, meta: `${base}:meta` }
  }

  const run = async (what: string, script: Script, stream: string, args: string[]) => {
    if (closed) throw closedError()
    // Fail at once during an outage: a queued command would hold the client connection open.
    if (!client.isReady) throw unavailableError(what)
    const { stream: key, meta } = keysOf(stream)
    try {
      return await runScript(client, script, [key, meta], args, timeout)
    } catch (error) {
      throw unavailableError(what, error)
    }
  }

  /** The live loop of `stream` once it has its start, if this process has subscribers. */
  const feedOf = async (stream: string) => {
    const feed = feeds.get(stream)
    await feed?.started()
    return feed
  }

  return {
    async append(stream: string, event: NewEvent): Promise<LogEntry> {
      const type = event.type ?? 'message'
      const args = [newEpoch(), String(maxLen), type, event.data]
      const [epoch, id] = (await run('append', APPEND, stream, args)) as [string, string]
      return { id: formatId(epoch, id), type, data: event.data }
    },

    async readAfter(stream: string, id: string, limit: number): Promise<ReadResult> {
      const position = parseId(id)
      if (position === undefined) return { kind: 'unknown' }
      // The subscribe/read rule: the read starts after the loop's start and returns only
      // once the loop has handed out everything up to what it returns.
      const feed = await feedOf(stream)
      const count = String(Math.max(0, Math.floor(limit)))
      const reply = await run('readAfter', READ, stream, [position.epoch, position.entry, count])
      if (reply === null) return { kind: 'unknown' }
      const [raw, last] = reply as [RawEntry[], string]
      const upTo = raw.at(-1)?.[0] ?? last
      if (feed !== undefined && compareEntryIds(upTo, ORIGIN) > 0)
        await feed.reached(position.epoch, upTo)
      return { kind: 'entries', entries: raw.map((entry) => toLogEntry(position.epoch, entry)) }
    },

    async oldest(stream: string): Promise<string | undefined> {
      const reply = await run('oldest', OLDEST, stream, [])
      if (reply === null) return undefined
      const [epoch, id] = reply as [string, string]
      return formatId(epoch, id)
    },

    async newest(stream: string): Promise<string> {
      const feed = await feedOf(stream)
      const [epoch, last] = (await run('newest', NEWEST, stream, [newEpoch()])) as [string, string]
      if (feed !== undefined && compareEntryIds(last, ORIGIN) > 0) await feed.reached(epoch, last)
      return formatId(epoch, last)
    },

    subscribe(stream: string, listener: (entry: LogEntry) => void, onHistoryLost?: HistoryLost) {
      if (closed) throw closedError()
      let feed = feeds.get(stream)
      if (feed === undefined) {
        feed = startFeed({ client, stream, keys: keysOf(stream), timeout, onError })
        feeds.set(stream, feed)
      }
      const active = feed
      // An object per call, so subscribing the same function twice gives two subscriptions.
      const subscription: FeedListener = {
        entry: listener,
        historyLost: (position) => onHistoryLost?.(position),
      }
      active.listeners.add(subscription)
      return () => {
        if (!active.listeners.delete(subscription) || active.listeners.size > 0) return
        active.stop()
        if (feeds.get(stream) === active) feeds.delete(stream)
      }
    },

    async close() {
      closed = true
      for (const feed of feeds.values()) feed.stop()
      feeds.clear()
    },
  }
}
