import { LifelineError } from '@lifeline/core'
import type {
  EventLog,
  HistoryLost,
  LogEntry,
  NewEvent,
  NewestEntries,
  PublishOptions,
  ReadResult,
} from '@lifeline/server'
import type { RedisLogClient, RedisLogCluster } from './client'
import { type RawEntry, toLogEntry } from './entries'
import { compareEntryIds, formatId, newEpoch, ORIGIN, parseId } from './entry-id'
import { closedError, unavailableError } from './errors'
import { createFeeds } from './feeds'
import { openLink } from './link'
import { APPEND, NEWEST, OLDEST, READ, runScript, type Script, TAIL } from './scripts'

/**
 * Options of {@link redisLog}.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect()
 * redisLog({ client, maxLen: 100_000, prefix: 'app:events:', timeout: 3_000, connections: 1 })
 * ```
 */
export interface RedisLogOptions {
  /**
   * A connected node-redis client: `createClient()` or `createCluster()` of `redis` v5. On a
   * single Redis, appends and reads go through it; on a cluster, through a duplicate the log
   * replaces after a failure (node-redis does not find a new master on its own). The app
   * connects and closes it.
   */
  client: RedisLogClient | RedisLogCluster
  /**
   * Entries kept per stream, trimmed approximately (`XADD … MAXLEN ~`): Redis keeps at least
   * this many, a little more between trims. A resume point older than what is kept gets
   * `reset`. Default 10,000, as `memoryLog`.
   */
  maxLen?: number
  /**
   * Prefix of every key: `<prefix>{<stream>}`, `<prefix>{<stream>}:meta` and
   * `<prefix>{<stream>}:keys`. Default `'lifeline:'`.
   */
  prefix?: string
  /**
   * Ms a Redis command may take, and a read may wait for the live loop to catch up, before
   * it fails with an `unavailable` error. Default 5,000.
   */
  timeout?: number
  /**
   * Connections the log opens to hear of new entries, whatever the number of streams (per
   * master on a cluster); streams are spread over them by name. 1 to 16, default 1.
   */
  connections?: number
  /** Told when the live loop loses Redis (once per outage) or a listener throws. */
  onError?: (error: LifelineError) => void
}

/** An {@link EventLog} on Redis Streams, with `close()` for the connections it opened. */
export interface RedisLog extends EventLog {
  /** Stops the live loop and closes the connections the log opened; the app's client stays open. */
  close(): Promise<void>
}

const MAX_CONNECTIONS = 16

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER) {
  if (!Number.isSafeInteger(value) || value < 1 || value > max)
    throw new LifelineError(
      'invalid-option',
      `redisLog ${name} must be an integer from 1 to ${max}`,
    )
  return value
}

/**
 * An event log on Redis Streams, so many server instances share one history and one
 * fan-out. Each Lifeline stream is a Redis stream; `XADD … MAXLEN ~` in a Lua script
 * assigns the id atomically with the stream's epoch, kept beside it in Redis, and publishes
 * a wake-up that every instance's live loop hears. Event ids are `<epoch>:<entry id>`: when
 * Redis loses the stream, a new epoch makes every old id `lost`, so resuming clients get
 * `reset` and the new history instead of the wrong events. Runs on a single Redis (7.0 or
 * later) or a Redis Cluster.
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
  const connections = positiveInteger('connections', options.connections ?? 1, MAX_CONNECTIONS)
  const prefix = options.prefix ?? 'lifeline:'
  const onError =
    options.onError ?? ((error: LifelineError) => console.error('[lifeline] redis log', error))
  let closed = false

  // The hash tag keeps a stream's keys (and its wake-up channel) in one Redis Cluster slot,
  // as a script needs.
  const keysOf = (stream: string): [string, string, string] => {
    const base = `${prefix}{${stream}}`
    return [base, `${base}:meta`, `${base}:keys`]
  }
  const feeds = createFeeds({ keysOf, timeout, onError })
  const link = openLink(client, { connections, timeout, events: feeds })
  feeds.attach(link)

  const run = async (what: string, script: Script, stream: string, args: string[]) => {
    if (closed) throw closedError()
    // Fail at once during an outage: a queued command would hold the client connection open.
    if (!link.ready) throw unavailableError(what)
    try {
      return await runScript(link.send, script, keysOf(stream), args, timeout)
    } catch (error) {
      throw unavailableError(what, error)
    }
  }

  /** The live loop of `stream` once it has its start, if this process has subscribers. */
  const feedOf = (stream: string) => feeds.started(stream)

  return {
    async append(stream: string, event: NewEvent, publish?: PublishOptions): Promise<LogEntry> {
      // Ordered after the start read of a subscription made before: it must see this entry.
      await feeds.starting(stream)
      const type = event.type ?? 'message'
      const args = [newEpoch(), String(maxLen), type, event.data, publish?.key ?? '']
      const reply = await run('append', APPEND, stream, args)
      const [epoch, id, storedType, data] = reply as [string, string, string, string]
      return { id: formatId(epoch, id), type: storedType, data }
    },

    async readAfter(stream: string, id: string, limit: number): Promise<ReadResult> {
      const position = parseId(id)
      if (position === undefined) return { kind: 'unknown' }
      // The subscribe/read rule: the read starts after the loop's start and returns only
      // once the loop has handed out everything up to what it returns.
      const feed = await feedOf(stream)
      const count = String(Math.max(0, Math.floor(limit)))
      const reply = await run('readAfter', READ, stream, [
        position.epoch,
        position.entry,
        count,
        newEpoch(),
      ])
      if (reply === null) return { kind: 'unknown' }
      const kind = (reply as [string])[0]
      const [epoch, raw, last] =
        kind === 'lost'
          ? ((reply as unknown[]).slice(1) as [string, RawEntry[], string])
          : [position.epoch, ...((reply as unknown[]).slice(1) as [RawEntry[], string])]
      const upTo = raw.at(-1)?.[0] ?? last
      if (feed !== undefined && compareEntryIds(upTo, ORIGIN) > 0)
        await feeds.reached(feed, epoch, upTo)
      const entries = raw.map((entry) => toLogEntry(epoch, entry))
      return kind === 'lost'
        ? { kind: 'lost', entries, head: formatId(epoch, last) }
        : { kind: 'entries', entries }
    },

    async readNewest(stream: string, limit: number): Promise<NewestEntries> {
      // The subscribe/read rule, as for readAfter.
      const feed = await feedOf(stream)
      const count = String(Math.max(0, Math.floor(limit)))
      const reply = await run('readNewest', TAIL, stream, [newEpoch(), count])
      const [epoch, raw, last] = reply as [string, RawEntry[], string]
      const upTo = raw.at(-1)?.[0] ?? last
      if (feed !== undefined && compareEntryIds(upTo, ORIGIN) > 0)
        await feeds.reached(feed, epoch, upTo)
      return { entries: raw.map((entry) => toLogEntry(epoch, entry)), head: formatId(epoch, last) }
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
      if (feed !== undefined && compareEntryIds(last, ORIGIN) > 0)
        await feeds.reached(feed, epoch, last)
      return formatId(epoch, last)
    },

    subscribe(stream: string, listener: (entry: LogEntry) => void, onHistoryLost?: HistoryLost) {
      if (closed) throw closedError()
      return feeds.subscribe(stream, listener, onHistoryLost)
    },

    async close() {
      closed = true
      feeds.close()
    },
  }
}
