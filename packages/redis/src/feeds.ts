import type { LifelineError } from '@lifeline/core'
import type { HistoryLost, LogEntry, Unsubscribe } from '@lifeline/server'
import type { RawEntry } from './entries'
import { compareEntryIds, newEpoch, parseId } from './entry-id'
import { closedError, unavailableError } from './errors'
import {
  begin,
  createFeed,
  deliver,
  type Feed,
  type FeedListener,
  moveTo,
  reachedBy,
  resumeArgs,
  settle,
  stop,
  waitFor,
} from './feed'
import type { Link, LinkEvents } from './link'
import { createReadQueue, type ReadPriority } from './read-queue'
import { HEAD, RESUME, runScript } from './scripts'

/** Entries one read returns at most; a lagging feed catches up in batches this size. */
const BATCH = 512
/** Reads in flight at once, so a sweep over every stream does not flood Redis. */
const MAX_PULLS = 64
const MAX_BACKOFF_MS = 2_000

/** The live fan-out of every stream this process has subscribers on. */
export interface Feeds extends LinkEvents {
  subscribe(stream: string, listener: (entry: LogEntry) => void, lost?: HistoryLost): Unsubscribe
  /** The feed of `stream` once it knows where it starts, if this process has subscribers. */
  started(stream: string): Promise<Feed | undefined>
  /** The start read of `stream` in flight, if any: an append waits for it. */
  starting(stream: string): Promise<void> | undefined
  /** Resolves once `feed` has delivered every entry of `epoch` up to `entry`. */
  reached(feed: Feed, epoch: string, entry: string): Promise<void>
  close(): void
}

export interface FeedsOptions {
  /** The Redis keys of a stream: its entries, its meta, its idempotency keys. */
  keysOf(stream: string): readonly [string, string, string]
  timeout: number
  onError(error: LifelineError): void
}

/**
 * Creates the feeds. None owns a connection: each wakes on its stream's message (published
 * by every append) and reads what follows its cursor through the link, one read at a time,
 * so a few connections serve any number of streams. After a wake-up connection was down,
 * every stream it carries looks for itself, asking Redis first whether its place is still
 * in the history (the loss of history is found then, not at the next entry).
 */
export function createFeeds(options: FeedsOptions): Feeds & { attach(link: Link): void } {
  const { keysOf, timeout, onError } = options
  const feeds = new Map<string, Feed>()
  const retry = new Set<Feed>()
  let link: Link | undefined
  let failures = 0
  let outage = false
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  const linked = () => {
    if (link === undefined) throw new Error('redis log: feeds used before the link')
    return link
  }

  const failed = (error: unknown) => {
    // One report per outage, not one per stream or retry.
    if (outage) return
    outage = true
    onError(unavailableError('the live loop', error))
  }

  const succeeded = () => {
    failures = 0
    outage = false
  }

  const armRetry = () => {
    if (retryTimer !== undefined || closed) return
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined
        // Still down: wait again rather than fail every stream's read once more.
        if (!linked().ready) {
          failures++
          armRetry()
          return
        }
        for (const waiting of [...retry]) {
          retry.delete(waiting)
          if (waiting.state === 'starting') start(waiting, false)
          else schedule(waiting, waiting.waiters?.size ? 'urgent' : 'background')
        }
      },
      Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures++),
    )
  }

  const retryLater = (feed: Feed, error: unknown) => {
    failed(error)
    retry.add(feed)
    armRetry()
  }

  const pull = async (feed: Feed) => {
    const { send } = linked()
    feed.pulling = true
    try {
      do {
        feed.again = false
        if (feed.recheck) {
          const args = [newEpoch(), ...resumeArgs(feed)]
          const reply = await runScript(send, RESUME, keysOf(feed.stream), args, timeout)
          if (feed.state !== 'running') return
          const [epoch, position] = reply as [string, string]
          feed.recheck = false
          if (epoch !== feed.epoch || position !== feed.cursor)
            moveTo(feed, epoch, position, onError)
        }
        const read = ['XRANGE', feed.key, `(${feed.cursor}`, '+', 'COUNT', String(BATCH)]
        const raw = (await send(feed.key, read, timeout)) as RawEntry[]
        if (feed.state !== 'running') return
        deliver(feed, raw, onError)
        if (raw.length >= BATCH || feed.recheck) feed.again = true
        settle(feed)
      } while (feed.again && feed.state === 'running')
      succeeded()
    } catch (error) {
      if (feed.state !== 'running') return
      // A failed read may have been a restart: the next one checks the place first.
      feed.recheck = true
      retryLater(feed, error)
    } finally {
      feed.pulling = false
    }
  }

  const reads = createReadQueue(MAX_PULLS, async (feed: Feed) => {
    if (feed.state === 'running') await pull(feed)
  })

  /** Reads what follows the feed's cursor, now or after the read under way. */
  function schedule(feed: Feed, priority: ReadPriority = 'urgent') {
    if (feed.state !== 'running' || closed) return
    if (feed.pulling) feed.again = true
    else reads.add(feed, priority)
  }

  /** Feeds whose start waits for their subscription's confirmation. */
  const confirming = new Map<Feed, () => void>()
  const confirm = (feed: Feed) => {
    confirming.get(feed)?.()
    confirming.delete(feed)
  }

  /**
   * Reads where the feed starts: the stream's newest id, the epoch it belongs to. Read once
   * the wake-ups flow (`confirmation`: the wake-up connection is up, so that is a round trip
   * away), nothing appended after the start can go unnoticed; read before, the feed reads
   * once more when they flow, for what came in between.
   */
  function start(feed: Feed, confirmation: boolean) {
    const starting = (async () => {
      if (confirmation && !feed.watched)
        await new Promise<void>((resolve) => confirming.set(feed, resolve))
      if (feed.state !== 'starting') return
      const watchedBefore = feed.watched
      try {
        begin(feed, await runScript(linked().send, HEAD, keysOf(feed.stream), [], timeout))
        succeeded()
        if (feed.watched && !watchedBefore) schedule(feed, 'background')
      } catch (error) {
        if (feed.state === 'starting') retryLater(feed, error)
      }
    })()
    feed.starting = starting
    void starting.finally(() => {
      if (feed.starting === starting) feed.starting = undefined
    })
  }

  const feedOfChannel = (channel: string) => {
    const feed = feeds.get(channel)
    return feed?.state === 'stopped' ? undefined : feed
  }

  return {
    attach(next) {
      link = next
    },

    subscribe(stream, listener, lost) {
      if (closed) throw closedError()
      const key = keysOf(stream)[0]
      let feed = feeds.get(key)
      if (feed === undefined) {
        const created = createFeed(stream, key)
        feed = created
        feeds.set(key, created)
        start(created, linked().watch(key))
      }
      const subscribed = feed
      // An object per call, so subscribing the same function twice gives two subscriptions.
      const subscription: FeedListener = {
        entry: listener,
        historyLost: (position, isLost) => lost?.(position, isLost),
      }
      subscribed.listeners.add(subscription)
      return () => {
        if (!subscribed.listeners.delete(subscription) || subscribed.listeners.size > 0) return
        stop(subscribed)
        confirm(subscribed)
        reads.delete(subscribed)
        retry.delete(subscribed)
        if (feeds.get(key) !== subscribed) return
        feeds.delete(key)
        link?.unwatch(key)
      }
    },

    async started(stream) {
      const feed = feeds.get(keysOf(stream)[0])
      if (feed === undefined) return undefined
      await waitFor(feed, 'start', () => feed.state !== 'starting', timeout)
      return feed
    },

    starting: (stream) => feeds.get(keysOf(stream)[0])?.starting,

    reached(feed, epoch, entry) {
      if (reachedBy(feed, epoch, entry)) return Promise.resolve()
      // A read of an epoch this feed has not met: the feed asks Redis where it stands.
      if (feed.epoch !== epoch && feed.retired?.has(epoch) !== true) feed.recheck = true
      schedule(feed)
      return waitFor(feed, 'catching up', () => reachedBy(feed, epoch, entry), timeout)
    },

    woken(channel, message) {
      const feed = feedOfChannel(channel)
      if (feed === undefined || feed.state !== 'running') return
      const at = parseId(message)
      // Already read (a read a reader triggered got there first).
      if (
        at !== undefined &&
        at.epoch === feed.epoch &&
        compareEntryIds(feed.cursor, at.entry) >= 0
      )
        return
      schedule(feed)
    },

    watched(channel) {
      const feed = feedOfChannel(channel)
      if (feed === undefined) return
      feed.watched = true
      confirm(feed)
      schedule(feed, 'background')
    },

    watching(channels) {
      succeeded()
      for (const channel of channels) {
        const feed = feedOfChannel(channel)
        if (feed === undefined) continue
        if (feed.watched && feed.state === 'running') feed.recheck = true
        feed.watched = true
        confirm(feed)
        schedule(feed, 'background')
      }
    },

    failed(error) {
      failed(error)
      // No confirmation is coming from a connection that failed: start now, catch up later.
      for (const feed of [...confirming.keys()]) confirm(feed)
    },

    close() {
      closed = true
      clearTimeout(retryTimer)
      for (const feed of feeds.values()) stop(feed)
      for (const feed of [...confirming.keys()]) confirm(feed)
      feeds.clear()
      reads.clear()
      retry.clear()
      link?.close()
    },
  }
}
