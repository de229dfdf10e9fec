/** An event as the caller publishes it; the log assigns the id. */
export interface NewEvent {
  /** The SSE event type; `'message'` (the SSE default) when omitted. */
  type?: string | undefined
  /** The payload; line breaks become several `data:` lines on the wire. */
  data: string
}

/** An event the log has stored, with the id it assigned. */
export interface LogEntry {
  /** Opaque, header-safe (`[A-Za-z0-9._:-]`, at most 64 bytes), unique within the log. */
  readonly id: string
  readonly type: string
  readonly data: string
}

/**
 * What {@link EventLog.readAfter} found:
 * - `entries`: the entries after the id;
 * - `lost`: the id is from history the log lost (another epoch: its storage restarted without
 *   it); `entries` are the newest (at most `limit`) of the history that replaced it, oldest
 *   first — all of it from its first entry when it holds no more — and `head` is its newest
 *   id (the position before its first entry when it has none). The hub answers `reset`, these
 *   entries, then the position block, so the client loses only what the log lost;
 * - `unknown`: the log cannot place the id (too old, never issued, malformed). The hub
 *   answers `reset`, never an error.
 */
export type ReadResult =
  | { kind: 'entries'; entries: readonly LogEntry[] }
  | { kind: 'lost'; entries: readonly LogEntry[]; head: string }
  | { kind: 'unknown' }

/** What {@link EventLog.readNewest} found: the newest entries, and the id they end at. */
export interface NewestEntries {
  entries: readonly LogEntry[]
  /** The newest id, or the position before the first entry of an empty stream. */
  head: string
}

/** Stops a subscription made with {@link EventLog.subscribe}. */
export type Unsubscribe = () => void

/**
 * Told by a log whose storage lost the stream's history under a live subscription (Redis
 * restarted without persistence, dropped a tail in a failover, or trimmed entries the
 * subscription had not read): entries it never delivered may be gone. `position` stands
 * before the first entry delivered after this call. `isLost(id)` says whether a position a
 * subscriber holds was in what is gone: the hub sends `reset` and `position` to those
 * subscribers only, so one that joined after the loss (already placed in the new history)
 * hears nothing of it.
 */
export type HistoryLost = (position: string, isLost: (id: string) => boolean) => void

/**
 * Options of {@link EventLog.append} and `hub.publish`.
 *
 * @example
 * ```ts
 * await hub.publish('orders', { data: '{"id":17}' }, { key: 'order-17-created' })
 * ```
 */
export interface PublishOptions {
  /**
   * Idempotency key, per stream: while the log retains an event stored with this key, a
   * publish with it stores nothing and resolves with that event's id. With a key a retried
   * publish is exactly-once; without one it is at-least-once (a publish that failed may still
   * have been stored). 1 to 256 UTF-8 bytes.
   */
  key?: string
}

/**
 * Where a hub keeps each stream's history. The hub never looks inside an id; the log alone
 * assigns, orders and recognises them, so a log on network storage (Redis Streams, SQL)
 * fits the same shape. Every method takes the stream name; a log serves many streams.
 *
 * Contract for implementers:
 * - `append` assigns an id greater (in the log's own order) than every id before it on
 *   that stream, stores the entry and resolves with it. With a `key` that an entry it still
 *   retains on that stream was stored with, it stores nothing and resolves with that entry.
 * - `readAfter(stream, id, limit)` resolves with at most `limit` entries that follow `id`,
 *   oldest first. An id that `newest` returned is always known, even before any append. An
 *   id of history the log lost resolves `{ kind: 'lost' }` with the current history's newest
 *   entries; any other id the log cannot place resolves `{ kind: 'unknown' }`. It must not
 *   reject for either.
 * - `readNewest(stream, limit)` resolves with the newest `limit` retained entries, oldest
 *   first (all of them when it holds no more), and `head`: the newest id, or the position
 *   before the first entry of an empty stream. It serves `from=start`.
 * - `newest` resolves with the newest id, or, on an empty stream, a position that stands
 *   before the first entry, so a client that has seen nothing can still resume.
 * - `subscribe` delivers every entry appended after it returns, in order, exactly once.
 *   An entry must reach the listener no later than a read (`readAfter`, `readNewest`,
 *   `newest`) can return it in
 *   this process (a network log can hold a read until its own subscription has caught up);
 *   the hub relies on this to join replay and live events without a gap or a duplicate.
 *   A log that can lose history (network storage) calls `onHistoryLost` as soon as it finds
 *   the loss, before the first entry of the new history; a log that cannot (in memory) never
 *   calls it.
 *
 * @example
 * ```ts
 * const log: EventLog = memoryLog({ capacity: 10_000 })
 * const entry = await log.append('prices', { type: 'price', data: '1.08' })
 * const after = await log.readAfter('prices', entry.id, 100) // { kind: 'entries', entries: [] }
 * ```
 */
export interface EventLog {
  /** Stores an event (unless its key is stored already) and resolves with its entry. */
  append(stream: string, event: NewEvent, options?: PublishOptions): Promise<LogEntry>
  /**
   * Up to `limit` entries after `id`, oldest first; `lost` for an id of lost history,
   * `unknown` for any other id it cannot place.
   */
  readAfter(stream: string, id: string, limit: number): Promise<ReadResult>
  /**
   * The newest `limit` retained entries, oldest first, and the newest id (or the position
   * before the first entry of an empty stream).
   */
  readNewest(stream: string, limit: number): Promise<NewestEntries>
  /** The id of the oldest retained entry; `undefined` on an empty stream. */
  oldest(stream: string): Promise<string | undefined>
  /** The newest id, or the position before the first entry of an empty stream. */
  newest(stream: string): Promise<string>
  /**
   * Calls `listener` with every entry appended to `stream` from now on, in order, and
   * `onHistoryLost` if the storage loses the history the subscription was reading.
   */
  subscribe(
    stream: string,
    listener: (entry: LogEntry) => void,
    onHistoryLost?: HistoryLost,
  ): Unsubscribe
}
