import { ensureOption } from '@lifeline/core'
import { type PageLifecycle, pageLifecycle } from './page-lifecycle'

/**
 * The part of the Web Locks `LockManager` (`navigator.locks`) that {@link tabs} uses: an
 * exclusive request that a signal withdraws, held until the callback's promise settles.
 *
 * @example
 * ```ts
 * tabs({ locks: navigator.locks })
 * ```
 */
export interface LockManagerLike {
  request(
    name: string,
    options: { mode: 'exclusive'; signal: AbortSignal },
    callback: () => Promise<void>,
  ): Promise<unknown>
}

/** The part of a `BroadcastChannel` that {@link tabs} uses. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  close(): void
}

/**
 * A `BroadcastChannel` constructor: the global one, or a double in tests.
 *
 * @example
 * ```ts
 * tabs({ BroadcastChannel: globalThis.BroadcastChannel })
 * ```
 */
export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike

/**
 * Options of {@link tabs}. `locks`, `BroadcastChannel` and `lifecycle` default to the
 * browser's; replace them in tests or unusual runtimes.
 *
 * @example
 * ```ts
 * tabs({ name: `user-${userId}` }) // tabs of another user's session never share
 * ```
 */
export interface TabsOptions {
  /**
   * Clients share only with clients of the same name and URL: a name per user or per app
   * keeps apart what must not mix on one origin. Default `'default'`.
   */
  name?: string | undefined
  /** The lock manager that elects the leader. Default `navigator.locks`. */
  locks?: LockManagerLike | undefined
  /** The channel the leader relays on. Default the global `BroadcastChannel`. */
  BroadcastChannel?: BroadcastChannelConstructor | undefined
  /**
   * When the page stops and runs again. Default: `pagehide`/`pageshow` and the Page
   * Lifecycle `freeze`/`resume` events; nothing outside a browser.
   */
  lifecycle?: PageLifecycle | undefined
}

/** {@link TabsOptions} checked once, with the defaults that need no browser filled in. */
export interface ResolvedTabsOptions {
  name: string
  locks: LockManagerLike | undefined
  BroadcastChannel: BroadcastChannelConstructor | undefined
  lifecycle: PageLifecycle
}

const OWNER = 'tabs'
const ensure = (condition: unknown, message: string) => ensureOption(OWNER, condition, message)

/**
 * Checks the options when `tabs()` is called, so a mistake fails at start-up with a
 * `LifelineError` of code `invalid-option`. The browser's locks and channel are looked up
 * later, at each join: a page may install them (a polyfill) after the module loaded.
 */
export function resolveOptions(options: TabsOptions): ResolvedTabsOptions {
  ensure(typeof options === 'object' && options !== null, 'options must be an object')
  const { name = 'default', locks, BroadcastChannel, lifecycle = pageLifecycle } = options
  ensure(typeof name === 'string', `name must be a string, got ${typeof name}`)
  ensure(
    locks === undefined || typeof locks?.request === 'function',
    'locks needs a request() method',
  )
  ensure(
    BroadcastChannel === undefined || typeof BroadcastChannel === 'function',
    'BroadcastChannel must be a constructor',
  )
  ensure(typeof lifecycle?.subscribe === 'function', 'lifecycle needs a subscribe() method')
  return { name, locks, BroadcastChannel, lifecycle }
}
