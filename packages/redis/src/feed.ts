import { LifelineError } from '@lifeline/core'
import type { HistoryLost, LogEntry } from '@lifeline/server'
import { fieldOf, type RawEntry, toLogEntry } from './entries'
import { compareEntryIds, formatId, parseId } from './entry-id'
import { unavailableError } from './errors'

/** Delivered ids a feed remembers, to find where it stands in a history that lost a tail. */
const RECENT = 16

/** One local subscription to a feed. */
export interface FeedListener {
  entry(entry: LogEntry): void
  historyLost: HistoryLost
}

/**
 * `starting`: its start position is being read; `running`: it delivers; `stopped`: its last
 * listener left or the log closed.
 */
export type FeedState = 'starting' | 'running' | 'stopped'

interface Waiter {
  ready(): boolean
  resolve(): void
  reject(error: LifelineError): void
  timer: ReturnType<typeof setTimeout>
}

/**
 * One stream's live fan-out in this process: where it stands in Redis's history and who
 * listens. Plain data, kept small (a process may watch 100,000 streams); what it delivers
 * is read by the feeds (feeds.ts) after a wake-up, and handed out here in Redis's order,
 * exactly once.
 */
export interface Feed {
  readonly stream: string
  /** The Redis stream key, also the channel of its wake-ups. */
  readonly key: string
  readonly listeners: Set<FeedListener>
  state: FeedState
  /** The epoch it reads; undefined while Redis holds no intact history of the stream. */
  epoch: string | undefined
  /** The last entry id delivered (or the start position). */
  cursor: string
  /** Its wake-up subscription is confirmed: nothing appended from now on goes unnoticed. */
  watched: boolean
  /** The next read first asks Redis whether the cursor is still in its history. */
  recheck: boolean
  /** A read is under way; `again`: one more is wanted after it. */
  pulling: boolean
  again: boolean
  /** The start read in flight: an append of this process waits for it (see redis-log.ts). */
  starting: Promise<void> | undefined
  /** The last {@link RECENT} ids delivered, a ring; `recentCount` counts since the last move. */
  recent: string[] | undefined
  recentCount: number
  /** Epochs it has moved past: a read from one of them waits for nothing. */
  retired: Set<string> | undefined
  waiters: Set<Waiter> | undefined
}

/** A feed of `stream` (Redis key `key`) that has not read its start yet. */
export function createFeed(stream: string, key: string): Feed {
  return {
    stream,
    key,
    listeners: new Set(),
    state: 'starting',
    epoch: undefined,
    cursor: '0-0',
    watched: false,
    recheck: false,
    pulling: false,
    again: false,
    starting: undefined,
    recent: undefined,
    recentCount: 0,
    retired: undefined,
    waiters: undefined,
  }
}

const listenerThrew = (onError: (error: LifelineError) => void, what: string, error: unknown) =>
  onError(new LifelineError('handler', `redis log: a listener threw on ${what}`, { cause: error }))

/**
 * Tells the listeners that history is gone: `position` is where the feed goes on, `isLost`
 * whether a position a subscriber holds was in what is gone (one already in the new history
 * needs no `reset`).
 */
function announce(
  feed: Feed,
  position: string,
  isLost: (id: string) => boolean,
  onError: (error: LifelineError) => void,
) {
  for (const listener of feed.listeners) {
    try {
      listener.historyLost(position, isLost)
    } catch (error) {
      listenerThrew(onError, 'history lost', error)
    }
  }
}

/** Whether `id` is of `epoch` with an entry id for which `inside` holds. */
const within = (epoch: string, inside: (entry: string) => boolean) => (id: string) => {
  const at = parseId(id)
  return at === undefined || at.epoch !== epoch || inside(at.entry)
}

/**
 * Moves the feed to `position` in epoch `next`, Redis's history now (RESUME's answer). What
 * the listeners had is no longer all there when the epoch changed (Redis lost the stream),
 * the position is behind the cursor (a dropped tail) or ahead of it (trimmed while the feed
 * was away) — unless the feed had no history yet.
 */
export function moveTo(
  feed: Feed,
  next: string,
  position: string,
  onError: (error: LifelineError) => void,
) {
  const had = feed.epoch
  const was = feed.cursor
  if (had !== undefined && had !== next) {
    feed.retired ??= new Set()
    feed.retired.add(had)
  }
  feed.epoch = next
  feed.cursor = position
  feed.recentCount = 0
  if (had === undefined) return
  const at = formatId(next, position)
  if (had !== next) announce(feed, at, (id) => parseId(id)?.epoch !== next, onError)
  else {
    const order = compareEntryIds(position, was)
    if (order < 0)
      announce(
        feed,
        at,
        within(
          next,
          (entry) => compareEntryIds(entry, position) > 0 && compareEntryIds(entry, was) <= 0,
        ),
        onError,
      )
    else if (order > 0)
      announce(
        feed,
        at,
        within(next, (entry) => compareEntryIds(entry, position) < 0),
        onError,
      )
  }
}

/** Takes the stream's epoch and newest id (HEAD's reply) as the start. */
export function begin(feed: Feed, head: unknown) {
  if (feed.state !== 'starting') return
  const [found, newest] = head as [string, string]
  feed.epoch = found === '' ? undefined : found
  feed.cursor = newest
  feed.state = 'running'
  settle(feed)
}

/**
 * Hands entries read after the cursor to the listeners. Stops, asking for a recheck, at an
 * entry of another epoch (Redis lost the stream) or one whose predecessor is older than the
 * cursor (a dropped tail: RESUME finds where to go on, also for entries that sort before
 * the cursor).
 */
export function deliver(feed: Feed, raw: RawEntry[], onError: (error: LifelineError) => void) {
  for (const entry of raw) {
    if (feed.state !== 'running') return
    const entryEpoch = fieldOf(entry, 'e')
    if (entryEpoch === undefined) continue
    if (feed.epoch !== undefined && entryEpoch !== feed.epoch) {
      feed.recheck = true
      return
    }
    const before = fieldOf(entry, 'p')
    if (feed.epoch === undefined) feed.epoch = entryEpoch
    else if (before !== undefined && before !== feed.cursor) {
      if (compareEntryIds(before, feed.cursor) < 0) {
        feed.recheck = true
        return
      }
      // This entry does not follow the last one delivered: Redis trimmed entries this feed
      // had not read yet (it fell over maxLen behind).
      const trimmed = before
      announce(
        feed,
        formatId(entryEpoch, trimmed),
        within(entryEpoch, (at) => compareEntryIds(at, trimmed) < 0),
        onError,
      )
    }
    feed.cursor = entry[0]
    feed.recent ??= []
    feed.recent[feed.recentCount++ % RECENT] = feed.cursor
    const logEntry = toLogEntry(entryEpoch, entry)
    for (const listener of feed.listeners) {
      try {
        listener.entry(logEntry)
      } catch (error) {
        listenerThrew(onError, 'an entry', error)
      }
    }
  }
}

/** RESUME's ARGV after the candidate epoch: the epoch, where the feed stands, then what it delivered before, newest first. */
export function resumeArgs(feed: Feed): string[] {
  const ids = [feed.epoch ?? '', feed.cursor]
  const recent = feed.recent ?? []
  for (let i = feed.recentCount - 1; i >= Math.max(0, feed.recentCount - RECENT); i--) {
    const id = recent[i % RECENT]!
    if (id !== feed.cursor) ids.push(id)
  }
  return ids
}

/** Whether every entry of `epoch` up to `entry` has gone to the listeners. */
export function reachedBy(feed: Feed, epoch: string, entry: string): boolean {
  if (feed.state !== 'running') return false
  if (feed.epoch === epoch) return compareEntryIds(feed.cursor, entry) >= 0
  return feed.retired?.has(epoch) === true
}

/** Releases the waits whose condition now holds. */
export function settle(feed: Feed) {
  if (feed.waiters === undefined) return
  for (const waiter of feed.waiters) {
    if (!waiter.ready()) continue
    clearTimeout(waiter.timer)
    feed.waiters.delete(waiter)
    waiter.resolve()
  }
}

/** Resolves once `ready()` holds (checked at each {@link settle}); rejects after `timeout`. */
export function waitFor(
  feed: Feed,
  what: string,
  ready: () => boolean,
  timeout: number,
): Promise<void> {
  if (ready() || feed.state === 'stopped') return Promise.resolve()
  return new Promise((resolve, reject) => {
    feed.waiters ??= new Set()
    const waiters = feed.waiters
    const waiter: Waiter = {
      ready,
      resolve,
      reject,
      timer: setTimeout(() => {
        waiters.delete(waiter)
        reject(unavailableError(`${what} on stream "${feed.stream}" (live loop behind)`))
      }, timeout),
    }
    waiters.add(waiter)
  })
}

/** Stops the feed and releases every wait. */
export function stop(feed: Feed) {
  feed.state = 'stopped'
  if (feed.waiters === undefined) return
  for (const waiter of feed.waiters) {
    clearTimeout(waiter.timer)
    waiter.resolve()
  }
  feed.waiters.clear()
}
