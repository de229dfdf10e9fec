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
 * What {@link EventLog.readAfter} found: the entries after the id, or `unknown` when the log
 * cannot serve that id (too old, another epoch, never issued, malformed). The hub answers
 * `unknown` with a `reset` control event, never with an error.
 */
export type ReadResult = { kind: 'entries'; entries: readonly LogEntry[] } | { kind: 'unknown' }

/** Stops a subscription made with {@link EventLog.subscribe}. */
export type Unsubscribe = () => void

/**
 * Told by a log whose storage lost the stream's history under a live subscription (Redis
 * restarted without persistence): entries the subscription never delivered may be gone.
 * `position` stands before the first entry of the new history; the entries delivered after
 * this call belong to it. The hub sends `reset` and that position to every live subscriber.
 */
export type HistoryLost = (position: string) => void

/**
 * Where a hub keeps each stream's history. The hub never looks inside an id; the log alone
 * assigns, orders and recognises them, so a log on network storage (Redis Streams, SQL)
 * fits the same shape. Every method takes the stream name; a log serves many streams.
 *
 * Contract for implementers:
 * - `append` assigns an id greater (in the log's own order) than every id before it on
 *   that stream, stores the entry and resolves with it.
 * - `readAfter(stream, id, limit)` resolves with at most `limit` entries that follow `id`,
 *   oldest first. An id that `newest` returned is always known, even before any append. Any
 *   id the log cannot place resolves `{ kind: 'unknown' }`; it must not reject for it.
 * - `newest` resolves with the newest id, or, on an empty stream, a position that stands
 *   before the first entry, so a client that has seen nothing can still resume.
 * - `subscribe` delivers every entry appended after it returns, in order, exactly once.
 *   An entry must reach the listener no later than `readAfter` or `newest` can return it in
 *   this process (a network log can hold a read until its own subscription has caught up);
 *   the hub relies on this to join replay and live events without a gap or a duplicate.
 *   A log that can lose history (network storage) calls `onHistoryLost` before the first
 *   entry of the new history; a log that cannot (in memory) never calls it.
 *
 * @example
 * ```ts
 * const log: EventLog = memoryLog({ capacity: 10_000 })
 * const entry = await log.append('prices', { type: 'price', data: '1.08' })
 * const after = await log.readAfter('prices', entry.id, 100) // { kind: 'entries', entries: [] }
 * ```
 */
export interface EventLog {
  /** Stores an event and resolves with its entry, id included. */
  append(stream: string, event: NewEvent): Promise<LogEntry>
  /** Up to `limit` entries after `id`, oldest first; `unknown` for an id it cannot place. */
  readAfter(stream: string, id: string, limit: number): Promise<ReadResult>
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
