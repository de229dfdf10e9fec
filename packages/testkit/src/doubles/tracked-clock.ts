import type { Clock, TimerHandle } from '@lifeline/core'

/** A clock that knows which of its timers are still to fire. */
export interface TrackedClock extends Clock {
  /** The delays, in ms, of the timers set and neither fired nor cleared, oldest first. */
  pending(): number[]
}

/** The real time and timers, read at call time so fake timers apply too. */
const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Wraps `base` (the real clock by default) and tracks its pending timers, so a test over
 * real sockets proves a negative without a sleep: once the client has nothing left to do,
 * `pending()` is empty and nothing can happen later. Browser-safe.
 *
 * @example
 * ```ts
 * const clock = trackedClock()
 * const client = createClient({ url, transports, environment: { clock } })
 * // ... the server answers 204
 * expect(clock.pending()).toEqual([]) // no retry is scheduled, however long one waits
 * ```
 */
export function trackedClock(base: Clock = realClock): TrackedClock {
  const timers = new Map<object, { handle: TimerHandle; ms: number }>()
  return {
    now: () => base.now(),
    setTimeout(callback, ms) {
      const key = {}
      const handle = base.setTimeout(() => {
        timers.delete(key)
        callback()
      }, ms)
      timers.set(key, { handle, ms })
      return key
    },
    clearTimeout(key) {
      const timer = timers.get(key as object)
      if (timer === undefined) return
      timers.delete(key as object)
      base.clearTimeout(timer.handle)
    },
    pending: () => [...timers.values()].map((timer) => timer.ms),
  }
}
