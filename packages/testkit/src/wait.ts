/** Default bound of every wait: long enough for a loaded CI box, short enough to fail fast. */
export const DEFAULT_WAIT_MS = 5_000

/** The bound of a wait and what its failure says. */
export interface WaitOptions {
  /** Default {@link DEFAULT_WAIT_MS}. */
  timeoutMs?: number | undefined
  /** Where things stood, appended to the timeout message; called only when the wait fails. */
  detail?: (() => string) | undefined
}

/** Subscribes `recheck` to whatever can change the answer; returns the unsubscribe. */
export type Wake = (recheck: () => void) => () => void

/** Options of {@link until}. */
export interface UntilOptions extends WaitOptions {
  /** Rechecks on these changes: an emitter, a {@link Notifier}'s `wake`. */
  wake?: Wake | undefined
  /** Also rechecks every `pollMs`, for state nothing announces. Default 10 without `wake`. */
  pollMs?: number | undefined
}

/** What a probe returns while the awaited thing has not happened yet. */
type NotYet = false | null | undefined

function timeoutError(what: string, timeoutMs: number, options: WaitOptions): Error {
  const detail = options.detail === undefined ? '' : `; ${options.detail()}`
  return new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`)
}

/**
 * The one bounded wait the others are built on: `start` gets `resolve` and `reject` and
 * returns its cleanup, which runs however the wait ends. After `timeoutMs` the wait rejects
 * naming `what`. Browser-safe, so pages use it too.
 *
 * @example
 * ```ts
 * await bounded<void>('the drain', (resolve) => {
 *   socket.once('drain', resolve)
 *   return () => socket.off('drain', resolve)
 * })
 * ```
 */
export function bounded<T>(
  what: string,
  start: (
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
  ) => (() => void) | undefined,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS
  return new Promise<T>((resolve, reject) => {
    let settled = false
    let cleanup: (() => void) | undefined
    const finish = (settle: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      cleanup?.()
      settle()
    }
    const timer = setTimeout(
      () => finish(() => reject(timeoutError(what, timeoutMs, options))),
      timeoutMs,
    )
    try {
      cleanup =
        start(
          (value) => finish(() => resolve(value)),
          (error) => finish(() => reject(error)),
        ) ?? undefined
    } catch (error) {
      finish(() => reject(error))
    }
    // `start` may have settled before it returned its cleanup.
    if (settled) cleanup?.()
  })
}

/**
 * Resolves with what `probe` returns once that is not `false`, `null` or `undefined`:
 * checked at once, on every `wake`, and every `pollMs`. A probe may be async (a page
 * snapshot); checks never overlap. A probe that throws rejects the wait.
 *
 * @example
 * ```ts
 * await until(() => hub.stats().clients === 0, 'the hub to hold no connection')
 * const record = await until(() => records.find(isClosed), 'closed()', { wake: changes.wake })
 * ```
 */
export function until<T>(
  probe: () => T | Promise<T>,
  what: string,
  options: UntilOptions = {},
): Promise<Exclude<T, NotYet>> {
  const pollMs = options.pollMs ?? (options.wake === undefined ? 10 : undefined)
  return bounded<Exclude<T, NotYet>>(
    what,
    (resolve, reject) => {
      let checking = false
      let again = false
      let done = false
      const check = async () => {
        if (done) return
        if (checking) {
          again = true
          return
        }
        checking = true
        try {
          do {
            again = false
            const value = await probe()
            if (value !== false && value !== null && value !== undefined) {
              done = true
              resolve(value as Exclude<T, NotYet>)
            }
          } while (again && !done)
        } catch (error) {
          done = true
          reject(error)
        } finally {
          checking = false
        }
      }
      const recheck = () => void check()
      const unsubscribe = options.wake?.(recheck)
      const poll = pollMs === undefined ? undefined : setInterval(recheck, pollMs)
      recheck()
      return () => {
        done = true
        unsubscribe?.()
        clearInterval(poll)
      }
    },
    options,
  )
}

/**
 * Resolves with the next value `subscribe` delivers that `accept` takes (any, by default):
 * an event still to come, not one already past.
 *
 * @example
 * ```ts
 * const resumed = nextEvent<ConnectionEvents['resumed']>((listener) => {
 *   client.connection.on('resumed', listener)
 *   return () => client.connection.off('resumed', listener)
 * }, 'resumed')
 * ```
 */
export function nextEvent<T>(
  subscribe: (listener: (value: T) => void) => () => void,
  what: string,
  options: WaitOptions & { accept?: ((value: T) => boolean) | undefined } = {},
): Promise<T> {
  const accept = options.accept ?? (() => true)
  return bounded<T>(
    what,
    (resolve) =>
      subscribe((value) => {
        if (accept(value)) resolve(value)
      }),
    options,
  )
}

/**
 * Bounds a promise that has no bound of its own.
 *
 * @example
 * ```ts
 * await within(mounted.requested(), 'the request')
 * ```
 */
export function within<T>(
  promise: Promise<T>,
  what: string,
  options: WaitOptions = {},
): Promise<T> {
  return bounded<T>(what, (resolve, reject) => void promise.then(resolve, reject), options)
}

/** Tells every subscribed recheck that something changed. */
export interface Notifier {
  /** Call after every change. */
  notify(): void
  /** What {@link until} takes as `wake`. */
  readonly wake: Wake
}

/**
 * Creates a {@link Notifier}: the record a helper keeps calls `notify()`, its waits pass
 * `wake` to {@link until}.
 *
 * @example
 * ```ts
 * const changes = createNotifier()
 * const seen: string[] = []
 * const push = (item: string) => { seen.push(item); changes.notify() }
 * await until(() => seen.length >= 3, 'three items', { wake: changes.wake })
 * ```
 */
export function createNotifier(): Notifier {
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

/** Things that arrive one at a time (sockets, requests, peers), taken in arrival order. */
export interface Arrivals<T> {
  /** Queues an arrival; never `false`, `null` or `undefined`. */
  push(item: T): void
  /** Resolves with the oldest arrival not yet taken, waiting for one within the bound. */
  next(what: string, options?: WaitOptions): Promise<T>
}

/**
 * Creates {@link Arrivals}: a server queues what it accepts, the test takes it in order.
 *
 * @example
 * ```ts
 * const sockets = createArrivals<Socket>()
 * const server = net.createServer((socket) => sockets.push(socket))
 * const first = await sockets.next('an upstream socket')
 * ```
 */
export function createArrivals<T>(): Arrivals<T> {
  const items: T[] = []
  const changes = createNotifier()
  return {
    push(item) {
      items.push(item)
      changes.notify()
    },
    next: (what, options = {}) =>
      until(() => items.shift(), what, { ...options, wake: changes.wake }) as Promise<T>,
  }
}
