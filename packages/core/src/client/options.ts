import { type BackoffOptions, DEFAULT_BACKOFF, MAX_DELAY_MS } from '../policy/backoff'
import { STRATEGY_PRESETS, type Strategy, type StrategyOption } from '../policy/strategy'
import { exceedsBytes } from '../transport/message-size'
import { countOption, ensureOption, urlOption } from '../transport/option-checks'
import type { Transport } from '../transport/transport'
import { defaultEnvironment, type Environment, unrefTimers } from './environment'
import type { PersistOptions } from './persistence'
import type { ShareOption } from './share'

/** Headers for every connect: a value, or a function resolved before each attempt. */
export type HeadersOption = HeadersInit | (() => HeadersInit | Promise<HeadersInit>)

/**
 * Options of {@link createClient}.
 *
 * @example
 * ```ts
 * createClient({
 *   url: 'https://api.example.com/events',
 *   transports: [sseFetch(), websocket()],
 *   strategy: 'resilient',
 *   headers: async () => ({ authorization: `Bearer ${await token()}` }),
 * })
 * ```
 */
export interface ClientOptions {
  /**
   * The stream's `http(s)` URL; in a page it may be relative to the page. The websocket
   * adapter derives `ws(s)` from it.
   */
  url: string | URL
  /** The transports, in order of preference. */
  transports: readonly Transport[]
  /** A preset name, or fields overriding `'resilient'`. Default `'resilient'`. */
  strategy?: StrategyOption | undefined
  /** Sent with every connect; a function is called again before each attempt. */
  headers?: HeadersOption | undefined
  /** Where to resume from on the first connect. */
  lastEventId?: string | undefined
  /**
   * Keeps the resume point in storage (`sessionStorage`, `localStorage`, or any object with
   * the Web Storage methods, sync or async), so a reload resumes instead of starting over.
   * Read before the first connect and used when `lastEventId` is not given; written at
   * most every 250 ms, on `pagehide` and on `close()`.
   */
  persist?: PersistOptions | undefined
  /**
   * `'start'`: with no resume point, ask for the whole history the server still holds,
   * then live events — a stream per answer that a reloaded page replays from its first
   * token. A connect with a resume point ignores it. Default: live events only.
   */
  from?: 'start' | undefined
  /**
   * Shares one connection between clients of the same URL: `tabs()` from `@lifeline/tabs`
   * gives one connection per browser, relayed to every tab. Default: none.
   */
  share?: ShareOption | undefined
  /** `false`: stay `idle` until `client.connect()`. Default `true`. */
  connect?: boolean | undefined
  /** Reconnect delays: exponential with full jitter, capped. */
  backoff?: Partial<BackoffOptions> | undefined
  /** ms to wait for the server to accept an attempt. Default 10 000. */
  connectTimeout?: number | undefined
  /** ms without a byte (events or heartbeat comments) before the stream counts as stalled. Default 45 000. */
  heartbeatTimeout?: number | undefined
  /** ms after acceptance for the first byte; longer means a buffering proxy. Default 10 000. */
  firstByteTimeout?: number | undefined
  /** The largest message the client accepts, in UTF-8 bytes. Default 1 MiB. */
  maxMessageBytes?: number | undefined
  /**
   * The longest event id the client keeps as its resume point, in UTF-8 bytes. An event
   * with a longer id is still delivered, but the resume point is dropped (`gap`): the id
   * cannot be sent back. Default 1 024.
   */
  maxIdBytes?: number | undefined
  /** How many recent event ids the duplicate filter remembers at least (up to twice as many). Default 1 024. */
  duplicateWindow?: number | undefined
  /**
   * In Node, whether a client that is not closed keeps the process alive while it waits to
   * reconnect, as an open socket does. `false` lets a process whose only work is the stream
   * exit between two connections. No effect in browsers. Default `true`.
   */
  keepProcessAlive?: boolean | undefined
  /** Clock, randomness and browser lifecycle; replace them in tests. */
  environment?: Partial<Environment> | undefined
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  url: URL
  transports: readonly Transport[]
  strategy: Strategy
  headers: HeadersOption | undefined
  lastEventId: string | undefined
  persist: PersistOptions | undefined
  from: 'start' | undefined
  share: ShareOption | undefined
  connect: boolean
  backoff: BackoffOptions
  connectTimeout: number
  heartbeatTimeout: number
  firstByteTimeout: number
  maxMessageBytes: number
  maxIdBytes: number
  duplicateWindow: number
  environment: Environment
}

const OWNER = 'createClient'
const ensure = (condition: unknown, message: string) => ensureOption(OWNER, condition, message)

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  ensure(
    typeof value === 'number' && value > 0 && value < Number.POSITIVE_INFINITY,
    `${name} must be > 0, got ${String(value)}`,
  )
  return Math.min(value, MAX_DELAY_MS)
}

function countOrOff(name: string, value: number | false): number | false {
  ensure(
    value === false || (Number.isInteger(value) && value >= 1),
    `strategy.${name} must be an integer ≥ 1 or false`,
  )
  return value
}

function resolveStrategy(option: StrategyOption | undefined): Strategy {
  const preset = typeof option === 'string' ? STRATEGY_PRESETS[option] : STRATEGY_PRESETS.resilient
  ensure(
    preset && (option === undefined || typeof option === 'string' || typeof option === 'object'),
    `unknown strategy ${String(option)}`,
  )
  const strategy = { ...preset, ...(typeof option === 'object' ? option : {}) }
  const { closeEvent, upgradeAfter } = strategy
  // 'reset' is reserved: it is always the reset control event.
  ensure(
    closeEvent === false ||
      (typeof closeEvent === 'string' && closeEvent !== '' && closeEvent !== 'reset'),
    'strategy.closeEvent must be an event type other than reset, or false',
  )
  return {
    closeEvent,
    resetAfter: countOrOff('resetAfter', strategy.resetAfter),
    fallbackAfter: countOrOff('fallbackAfter', strategy.fallbackAfter),
    upgradeAfter:
      upgradeAfter === false ? false : positive('strategy.upgradeAfter', upgradeAfter, 60_000),
  }
}

/** Validates the options and fills in the defaults; a bad option throws `invalid-option`. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const { transports, headers, backoff = {} } = options
  // In a page a relative URL ('/events') resolves against the page, as EventSource does.
  const base = (globalThis as { location?: { href?: string } }).location?.href
  const url = urlOption(OWNER, 'url', options.url, base) as URL
  ensure(
    Array.isArray(transports) && transports.length > 0,
    'transports must list at least one transport',
  )
  for (const transport of transports) {
    ensure(
      typeof transport?.open === 'function' && typeof transport.name === 'string',
      'a transport needs a name and open()',
    )
  }
  ensure(
    headers === undefined || typeof headers === 'function' || typeof headers === 'object',
    'invalid headers',
  )
  const maxIdBytes = countOption(OWNER, 'maxIdBytes', options.maxIdBytes) ?? 1_024
  const { lastEventId } = options
  ensure(
    lastEventId === undefined || typeof lastEventId === 'string',
    'lastEventId must be a string',
  )
  ensure(
    lastEventId === undefined || !exceedsBytes(lastEventId, maxIdBytes),
    `lastEventId exceeds maxIdBytes (${maxIdBytes})`,
  )
  const { persist, from } = options
  ensure(
    persist === undefined ||
      (typeof persist?.key === 'string' &&
        persist.key !== '' &&
        ['getItem', 'setItem', 'removeItem'].every(
          (method) =>
            typeof (persist.storage as unknown as Record<string, unknown>)?.[method] === 'function',
        )),
    'persist needs a non-empty key and a storage with getItem, setItem and removeItem',
  )
  ensure(from === undefined || from === 'start', `from must be 'start', got ${String(from)}`)
  const { share } = options
  ensure(share === undefined || typeof share?.join === 'function', 'share needs a join() method')
  const factor = backoff.factor ?? DEFAULT_BACKOFF.factor
  ensure(factor >= 1 && factor < Number.POSITIVE_INFINITY, 'backoff.factor must be ≥ 1')
  const environment = { ...defaultEnvironment, ...options.environment }
  if (options.keepProcessAlive === false) environment.clock = unrefTimers(environment.clock)
  return {
    url,
    transports,
    strategy: resolveStrategy(options.strategy),
    headers,
    // An empty Last-Event-ID means "no resume point", as the spec's empty id does.
    lastEventId: lastEventId || undefined,
    persist,
    from,
    share,
    connect: options.connect ?? true,
    backoff: {
      initial: positive('backoff.initial', backoff.initial, DEFAULT_BACKOFF.initial),
      max: positive('backoff.max', backoff.max, DEFAULT_BACKOFF.max),
      factor,
    },
    connectTimeout: positive('connectTimeout', options.connectTimeout, 10_000),
    heartbeatTimeout: positive('heartbeatTimeout', options.heartbeatTimeout, 45_000),
    firstByteTimeout: positive('firstByteTimeout', options.firstByteTimeout, 10_000),
    maxMessageBytes: countOption(OWNER, 'maxMessageBytes', options.maxMessageBytes) ?? 1_048_576,
    maxIdBytes,
    duplicateWindow: countOption(OWNER, 'duplicateWindow', options.duplicateWindow) ?? 1_024,
    environment,
  }
}
