import { countOption, ensureOption, fetchOptions, urlOption } from '@lifeline/core'

/**
 * Options of {@link longPoll}. All are optional.
 *
 * @example
 * ```ts
 * longPoll({ hold: 5_000, credentials: 'include' })
 * ```
 */
export interface LongPollOptions {
  /** Endpoint for this transport, overriding the client's `url`. http(s); in a page it may be relative. */
  url?: string | URL
  /** The `fetch` to use (tests, proxies, polyfills). Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch
  /**
   * The longest the server may hold a poll that has nothing to send, in ms. Default 5 000;
   * never more than half of the client's `connectTimeout` and `firstByteTimeout`, so a proxy
   * that holds the whole response back cannot trip a watchdog on a healthy idle poll.
   */
  hold?: number
  /** Fetch's credentials mode; the default is fetch's own (`same-origin`). */
  credentials?: RequestCredentials
  /** Extra headers on every poll; the client's `headers` win over these. */
  headers?: HeadersInit
  /** Lowers the client's `maxMessageBytes` for this transport; never raises it. */
  maxMessageBytes?: number
}

/** {@link LongPollOptions} checked once, with defaults filled in. */
export interface ResolvedLongPollOptions {
  url: URL | undefined
  fetch: typeof globalThis.fetch | undefined
  hold: number
  credentials: RequestCredentials | undefined
  headers: Headers
  maxMessageBytes: number
}

const OWNER = 'longPoll'

/** The client's default hold: short enough for most proxies' idle limits. */
export const DEFAULT_HOLD_MS = 5_000

/** Checks options once, when the transport is created: a mistake fails at start-up. */
export function resolveOptions(options: LongPollOptions = {}): ResolvedLongPollOptions {
  ensureOption(OWNER, typeof options === 'object' && options !== null, 'options must be an object')
  return {
    url: urlOption(OWNER, 'url', options.url, globalThis.location?.href),
    ...fetchOptions(OWNER, options),
    hold: countOption(OWNER, 'hold', options.hold) ?? DEFAULT_HOLD_MS,
    maxMessageBytes: countOption(OWNER, 'maxMessageBytes', options.maxMessageBytes) ?? Infinity,
  }
}
