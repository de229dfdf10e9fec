import type { ConnectionReason } from './events'

/** The stable codes of {@link LifelineError}; match on these, not on messages. */
export type LifelineErrorCode =
  /** An option passed to `createClient` or an adapter is invalid. */
  | 'invalid-option'
  /** A connection attempt failed, or a stream broke the protocol; `reason` says how. */
  | 'connection'
  /** The server refused the credentials (401/403) again after the headers were resolved anew: final. */
  | 'unauthorized'
  /** The server sent something the protocol does not allow. */
  | 'protocol'
  /** A message was larger than `maxMessageBytes`. */
  | 'message-too-large'
  /** The `headers` option threw or rejected. */
  | 'headers'
  /** The `persist` storage threw or rejected; the stream goes on without it. */
  | 'storage'
  /** A handler the app registered threw; the stream went on. */
  | 'handler'
  /** The object was closed (a hub after `close()`): the call cannot succeed any more. */
  | 'closed'
  /** A backing service (e.g. Redis) is unreachable; try again later. */
  | 'unavailable'

/**
 * The one error class of Lifeline: a stable `code`, the {@link ConnectionReason} where a
 * connection ended, and the underlying `cause`.
 *
 * @example
 * ```ts
 * client.connection.on('error', (err) => {
 *   if (err.reason?.kind === 'http') console.warn('HTTP', err.reason.status)
 *   if (err.reason?.kind === 'stall') console.warn('no heartbeat')
 * })
 * ```
 */
export class LifelineError extends Error {
  override readonly name = 'LifelineError'
  readonly code: LifelineErrorCode
  /** Why the connection ended, for `connection` and `unauthorized` errors. */
  readonly reason: ConnectionReason | undefined

  constructor(
    code: LifelineErrorCode,
    message: string,
    options: { reason?: ConnectionReason | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.reason = options.reason
  }
}

/** The error the app hears of for a failed connection: its transport, then what happened. */
export function connectionError(
  code: LifelineErrorCode,
  transport: string,
  reason: ConnectionReason,
): LifelineError {
  const detail =
    reason.kind === 'http'
      ? `HTTP ${reason.status}`
      : reason.kind === 'protocol'
        ? `protocol error: ${reason.message}`
        : reason.kind === 'network' && reason.error instanceof Error
          ? `network error: ${reason.error.message}`
          : reason.kind === 'network'
            ? 'network error'
            : reason.kind
  return new LifelineError(code, `${transport}: ${detail}`, {
    reason,
    cause: reason.kind === 'network' ? reason.error : undefined,
  })
}
