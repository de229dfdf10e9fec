import { LifelineError } from '@lifeline/core'

/**
 * Redis did not answer (down, restarting, failing over, or slower than `timeout`): an
 * `unavailable` error, so callers can tell it from a bad argument.
 */
export function unavailableError(what: string, cause?: unknown): LifelineError {
  const detail = cause instanceof Error ? `: ${cause.message}` : ''
  return new LifelineError(
    'unavailable',
    `redis log: ${what} failed, Redis is unavailable${detail}`,
    {
      cause,
    },
  )
}

/** The log was closed: `subscribe` and every read or append after `close()`. */
export function closedError(): LifelineError {
  return new LifelineError('closed', 'redis log: closed')
}
