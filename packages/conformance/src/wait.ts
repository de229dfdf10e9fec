/** The bound of every wait unless one is given: long enough for a loaded CI box. */
export const DEFAULT_WAIT_MS = 5_000

/** Subscribes `recheck` to whatever can change the answer; returns the unsubscribe. */
export type Wake = (recheck: () => void) => () => void

/** Tells every subscribed recheck that something changed. */
export interface Changes {
  notify(): void
  readonly wake: Wake
}

/** Creates {@link Changes}: a recorder calls `notify()`, its waits pass `wake` to {@link until}. */
export function createChanges(): Changes {
  const listeners = new Set<() => void>()
  return {
    notify() {
      for (const listener of [...listeners]) listener()
    },
    wake(recheck) {
      listeners.add(recheck)
      return () => listeners.delete(recheck)
    },
  }
}

/** Options of {@link until}. */
export interface UntilOptions {
  /** Rechecks on these changes. */
  wake: Wake
  /** Default {@link DEFAULT_WAIT_MS}. */
  timeoutMs?: number | undefined
  /** Where things stood, appended to the timeout message. */
  detail?: () => string
}

/**
 * The one bounded wait: `start` gets `resolve` and `reject` and returns its cleanup, which
 * runs however the wait ends. After `timeoutMs` it rejects naming `what`. Browser-safe.
 */
function bounded<T>(
  what: string,
  timeoutMs: number,
  detail: (() => string) | undefined,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false
    let cleanup = () => {}
    const finish = (settle: () => void) => {
      if (done) return
      done = true
      clearTimeout(timer)
      cleanup()
      settle()
    }
    const timer = setTimeout(() => {
      const where = detail === undefined ? '' : `; ${detail()}`
      finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${where}`)))
    }, timeoutMs)
    cleanup = start(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    )
    // `start` may have settled before it returned its cleanup.
    if (done) cleanup()
  })
}

/**
 * Resolves with what `probe` returns once that is not `undefined`: checked at once and on
 * every `wake`; rejects with what `probe` throws, or after the bound naming `what`.
 */
export function until<T>(
  probe: () => T | undefined,
  what: string,
  options: UntilOptions,
): Promise<T> {
  return bounded<T>(
    what,
    options.timeoutMs ?? DEFAULT_WAIT_MS,
    options.detail,
    (resolve, reject) => {
      const check = () => {
        try {
          const value = probe()
          if (value !== undefined) resolve(value)
        } catch (error) {
          reject(error)
        }
      }
      const unsubscribe = options.wake(check)
      check()
      return unsubscribe
    },
  )
}

/** Bounds a promise that has no bound of its own. */
export function within<T>(promise: Promise<T>, what: string, timeoutMs = DEFAULT_WAIT_MS) {
  return bounded<T>(what, timeoutMs, undefined, (resolve, reject) => {
    promise.then(resolve, reject)
    return () => {}
  })
}
