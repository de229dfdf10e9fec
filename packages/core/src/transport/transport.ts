/**
 * Why a transport connection ended. The negotiator acts on `kind` without guessing.
 *
 * @example
 * ```ts
 * sink.closed({ kind: 'http', status: 502 })
 * ```
 */
export type CloseReason =
  | { kind: 'network'; error?: unknown }
  | { kind: 'http'; status: number }
  /** Wrong content type, a malformed frame, or a message over the size limit. */
  | { kind: 'protocol'; message: string }
  /**
   * The server ended the stream; or, with `recycled`, the transport ended a healthy request
   * on purpose to start a fresh one (sse-xhr past `maxResponseBytes`): not a failure, and
   * the client reconnects at once.
   */
  | { kind: 'ended'; recycled?: true }
  /** HTTP 204: stop for good, as the SSE spec says. */
  | { kind: 'no-content' }
  /** The request's signal was aborted. */
  | { kind: 'aborted' }

/** One decoded server event, before the client turns it into a {@link StreamEvent}. */
export interface TransportEvent {
  type: string
  data: string
  id?: string | undefined
}

/** What the client asks a transport to open. */
export interface ConnectRequest {
  /** The endpoint (the client's `url`, or the adapter's own `url` option). */
  url: URL
  /** Resolved before every connect (auth and the like). */
  headers: Headers
  /** `undefined`: connect fresh and send no resume point. */
  lastEventId: string | undefined
  /** The client's limit for one message; an adapter option may lower it. */
  maxMessageBytes: number
  /**
   * `'start'`: there is no resume point, and the client asks for the whole history the
   * server retains, then live events (query `from=start` on HTTP, `"from":"start"` in the
   * WebSocket hello). Absent: live events only.
   */
  from?: 'start' | undefined
  /**
   * The client's watchdog limits in ms: `connect` to be accepted, `firstByte` after that.
   * A transport whose requests are short on purpose (long-poll) stays well inside them.
   */
  timeouts: { connect: number; firstByte: number }
  /** Aborting it must release every resource the connection holds. */
  signal: AbortSignal
}

/** How a transport reports to the client. A transport reports; it never retries. */
export interface TransportSink {
  /** The server accepted the stream. */
  opened(): void
  /**
   * Bytes arrived after `opened()`. Feeds the watchdogs; the first one makes the attempt a
   * success. On WebSocket the acceptance frame itself does not count.
   */
  activity(): void
  /** A decoded event, control events included: the client recognises the control types. */
  event(e: TransportEvent): void
  /** An id-only block (no data) moved the resume point. */
  id(lastEventId: string): void
  /** The server advised a reconnection time (`retry:`), in ms. */
  retry(ms: number): void
  /** Exactly once per `open()`. */
  closed(reason: CloseReason): void
}

/** A live connection; `close()` releases it (the same as aborting the request's signal). */
export interface TransportConnection {
  close(): void
}

/**
 * A pipe the client can stream over. Factories such as `sseFetch()` return one; anyone can
 * write another with nothing the shipped adapters do not also use ({@link defineTransport}
 * does the bookkeeping).
 *
 * @example
 * ```ts
 * const silent: Transport = {
 *   name: 'silent',
 *   open(request, sink) {
 *     const abort = () => sink.closed({ kind: 'aborted' })
 *     request.signal.addEventListener('abort', abort, { once: true })
 *     return { close: abort }
 *   },
 * }
 * ```
 */
export interface Transport {
  readonly name: string
  open(request: ConnectRequest, sink: TransportSink): TransportConnection
}
