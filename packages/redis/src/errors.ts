import { LifelineError } from '@lifeline/core'

/**
 * Redis did not answer (down, restarting, failing over, or slower than `timeout`): a
 * `connection` error with a `network` reason, so callers can tell it from a bad argument.
 */
export function unavailableError(what: string, cause?: unknown): LifelineError {
  const detail = cause instanceof Error ? `: ${cause.message}` : ''
  return new LifelineError(
    'connection',
    `redis log: ${what} failed, Redis is unavailable${detail}`,
    {
      reason: cause === undefined ? { kind: 'network' } : { kind: 'network', error: cause },
      cause,
    },
  )
}

/** The log was closed: `subscribe` and every read or append after `close()`. */
export function closedError(): LifelineError {
  return new LifelineError('connection', 'redis log: closed', { reason: { kind: 'ended' } })
}
