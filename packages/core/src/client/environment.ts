/** A timer handle, as the clock hands it out. */
export type TimerHandle = unknown

/** The time source the client schedules with; tests and users may replace it. */
export interface Clock {
  now(): number
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** The browser signals the client reacts to. */
export type LifecycleSignal = 'offline' | 'online' | 'pagehide' | 'pageshow' | 'visible'

/** Where lifecycle signals come from: the browser by default, anything in tests. */
export interface LifecycleSource {
  /** Whether the client should start as offline. */
  isOnline(): boolean
  /** Calls `listener` on every signal; returns the function that unsubscribes. */
  subscribe(listener: (signal: LifecycleSignal) => void): () => void
}

/**
 * The environment the client runs in. Each part has a default and can be replaced, for
 * deterministic tests or unusual runtimes.
 *
 * @example
 * ```ts
 * createClient({ url, transports, environment: { random: () => 0.5 } })
 * ```
 */
export interface Environment {
  clock: Clock
  /** A number in [0, 1): the jitter of every delay. */
  random: () => number
  lifecycle: LifecycleSource
}

/**
 * The real clock; `Date.now` and the global timers are read at call time, so fake timers
 * work. In Node its timers keep the process alive, as an open socket does.
 */
const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** `clock` with its timers unref'd: in Node they no longer keep the process alive. */
export function unrefTimers(clock: Clock): Clock {
  return {
    now: () => clock.now(),
    setTimeout(callback, ms) {
      const handle = clock.setTimeout(callback, ms)
      ;(handle as { unref?: () => void } | undefined)?.unref?.()
      return handle
    },
    clearTimeout: (handle) => clock.clearTimeout(handle),
  }
}

interface EventTargetLike {
  addEventListener(type: string, listener: (event: { type: string }) => void): void
  removeEventListener(type: string, listener: (event: { type: string }) => void): void
}

/** The window events the client reacts to; each one's type is its signal. */
const SIGNALS = ['online', 'offline', 'pagehide', 'pageshow'] as const

/**
 * The browser's lifecycle: `online`/`offline`, `pagehide`/`pageshow` of the back/forward
 * cache, and the page becoming visible. Elsewhere (Node, workers without a window) nothing.
 */
const browserLifecycle: LifecycleSource = {
  isOnline: () => (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false,
  subscribe(listener) {
    const win = globalThis as unknown as Partial<EventTargetLike> & {
      document?: EventTargetLike & { visibilityState?: string }
    }
    const doc = win.document
    if (typeof win.addEventListener !== 'function' || typeof doc !== 'object') return () => {}
    // One handler for every event: a window event's type is its signal.
    const on = ({ type }: { type: string }) => {
      if (type !== 'visibilitychange') listener(type as LifecycleSignal)
      else if (doc.visibilityState === 'visible') listener('visible')
    }
    const each = (method: keyof EventTargetLike) => {
      for (const type of SIGNALS) (win as EventTargetLike)[method](type, on)
      doc[method]('visibilitychange', on)
    }
    each('addEventListener')
    return () => each('removeEventListener')
  },
}

/** The defaults: the real clock, `Math.random`, the browser's lifecycle where there is one. */
export const defaultEnvironment: Environment = {
  clock: systemClock,
  random: Math.random,
  lifecycle: browserLifecycle,
}
