import { type BackoffOptions, DEFAULT_BACKOFF, MAX_DELAY_MS } from './backoff'
import { defaultEnvironment, type Environment } from './environment'
import { LifelineError } from './errors'
import { STRATEGY_PRESETS, type Strategy, type StrategyOption } from './strategy'
import type { Transport } from './transport'

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
  /** The stream's `http(s)` URL; the websocket adapter derives `ws(s)` from it. */
  url: string | URL
  /** The transports, in order of preference. */
  transports: readonly Transport[]
  /** A preset name, or fields overriding `'resilient'`. Default `'resilient'`. */
  strategy?: StrategyOption | undefined
  /** Sent with every connect; a function is called again before each attempt. */
  headers?: HeadersOption | undefined
  /** Where to resume from on the first connect. */
  lastEventId?: string | undefined
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
  /** The largest message the client accepts. Default 1 MiB. */
  maxMessageBytes?: number | undefined
  /** How many recent event ids the duplicate filter remembers. Default 1 024. */
  duplicateWindow?: number | undefined
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
  connect: boolean
  backoff: BackoffOptions
  connectTimeout: number
  heartbeatTimeout: number
  firstByteTimeout: number
  maxMessageBytes: number
  duplicateWindow: number
  environment: Environment
}

const invalid = (message: string) => new LifelineError('invalid-option', message)

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(`${name} must be a positive number of ms or bytes, got ${String(value)}`)
  }
  return Math.min(value, MAX_DELAY_MS)
}

function countOrOff(name: string, value: number | false): number | false {
  if (value === false) return false
  if (!Number.isInteger(value) || value < 1)
    throw invalid(`strategy.${name} must be an integer ≥ 1 or false`)
  return value
}

function resolveStrategy(option: StrategyOption | undefined): Strategy {
  if (option === undefined) return { ...STRATEGY_PRESETS.resilient }
  if (typeof option === 'string') {
    const preset = STRATEGY_PRESETS[option]
    if (!preset) throw invalid(`unknown strategy preset '${option}'`)
    return { ...preset }
  }
  if (typeof option !== 'object' || option === null)
    throw invalid('strategy must be a preset name or an object')
  const strategy = { ...STRATEGY_PRESETS.resilient, ...option }
  if (
    strategy.closeEvent !== false &&
    (typeof strategy.closeEvent !== 'string' || strategy.closeEvent === '')
  ) {
    throw invalid('strategy.closeEvent must be a non-empty event type or false')
  }
  if (strategy.closeEvent === 'reset')
    throw invalid("strategy.closeEvent cannot be 'reset': that type is reserved")
  return {
    closeEvent: strategy.closeEvent,
    resetAfter: countOrOff('resetAfter', strategy.resetAfter),
    fallbackAfter: countOrOff('fallbackAfter', strategy.fallbackAfter),
    upgradeAfter:
      strategy.upgradeAfter === false
        ? false
        : positive('strategy.upgradeAfter', strategy.upgradeAfter, 60_000),
  }
}

/** Validates the options and fills in the defaults; a bad option throws `invalid-option`. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw invalid('createClient needs an options object')
  let url: URL
  try {
    url = new URL(String(options.url))
  } catch (cause) {
    throw new LifelineError('invalid-option', `url is not a valid URL: ${String(options.url)}`, {
      cause,
    })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(`url must be http(s), got ${url.protocol}`)
  const { transports } = options
  if (!Array.isArray(transports) || transports.length === 0)
    throw invalid('transports must list at least one transport')
  if (transports.length > 30) throw invalid('at most 30 transports')
  for (const transport of transports) {
    if (typeof transport?.open !== 'function' || typeof transport.name !== 'string') {
      throw invalid('every transport needs a name and an open() method')
    }
  }
  const headers = options.headers
  if (headers !== undefined && typeof headers !== 'function' && typeof headers !== 'object') {
    throw invalid('headers must be an object, a Headers, entries or a function')
  }
  if (options.lastEventId !== undefined && typeof options.lastEventId !== 'string')
    throw invalid('lastEventId must be a string')
  const backoff: BackoffOptions = {
    initial: positive('backoff.initial', options.backoff?.initial, DEFAULT_BACKOFF.initial),
    max: positive('backoff.max', options.backoff?.max, DEFAULT_BACKOFF.max),
    factor: options.backoff?.factor ?? DEFAULT_BACKOFF.factor,
  }
  if (!Number.isFinite(backoff.factor) || backoff.factor < 1)
    throw invalid('backoff.factor must be ≥ 1')
  const duplicateWindow = options.duplicateWindow ?? 1024
  if (!Number.isInteger(duplicateWindow) || duplicateWindow < 1)
    throw invalid('duplicateWindow must be an integer ≥ 1')
  return {
    url,
    transports,
    strategy: resolveStrategy(options.strategy),
    headers,
    // An empty Last-Event-ID means "no resume point", as the spec's empty id does.
    lastEventId: options.lastEventId === '' ? undefined : options.lastEventId,
    connect: options.connect ?? true,
    backoff,
    connectTimeout: positive('connectTimeout', options.connectTimeout, 10_000),
    heartbeatTimeout: positive('heartbeatTimeout', options.heartbeatTimeout, 45_000),
    firstByteTimeout: positive('firstByteTimeout', options.firstByteTimeout, 10_000),
    maxMessageBytes: positive('maxMessageBytes', options.maxMessageBytes, 1_048_576),
    duplicateWindow,
    environment: { ...defaultEnvironment, ...options.environment },
  }
}
