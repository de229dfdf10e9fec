import type { IncomingMessage } from 'node:http'
import { LifelineError, MAX_DELAY_MS } from '@lifeline/core'
import { MAX_CONNECTION_AGE } from './connection-age'
import type { CorsOptions } from './cors'
import type { EventLog } from './log'
import { memoryLog } from './memory-log'
import type { HubMetric } from './metrics'
import type { OriginOption } from './origin'

/** Which pipe a subscriber is connected through; `'long-poll'` is one poll of the long-poll transport. */
export type Pipe = 'sse' | 'websocket' | 'long-poll'

/** Why the hub dropped a subscriber on its own. */
export interface CutInfo {
  stream: string
  pipe: Pipe
  /** `slow-consumer`: more than `maxBufferedBytes` waited for a client that did not read. */
  reason: 'slow-consumer'
  bufferedBytes: number
}

/**
 * Options of {@link createHub}; every one has a safe default.
 *
 * @example
 * ```ts
 * const hub = createHub({
 *   log: memoryLog({ capacity: 10_000 }),
 *   heartbeat: 15_000,
 *   retry: 1_000,
 *   cors: { origins: ['https://app.example.com'], credentials: true },
 *   origins: ['https://app.example.com'],
 * })
 * ```
 */
export interface HubOptions {
  /** Where every stream's history lives. Default `memoryLog()` (10,000 events per stream). */
  log?: EventLog
  /** Ms between heartbeat comments on an open connection, on both pipes. Default 15,000. */
  heartbeat?: number
  /** The `retry:` hint sent first on every connection, in ms. Default 1,000. */
  retry?: number
  /** Bytes waiting for one subscriber before it is cut as too slow. Default 1 MiB. */
  maxBufferedBytes?: number
  /** Open connections per hub, both pipes together; more get 503. Default 10,000. */
  maxClients?: number
  /**
   * Open connections from one client address, both pipes together; more get 429 with
   * `Retry-After`. An IPv6 address counts by its /64. Default: no limit.
   */
  maxClientsPerAddress?: number
  /**
   * How many proxies in front of this server append the client's address to
   * `X-Forwarded-For`; the address the outermost of them saw is the client's. Default 0: the
   * header is ignored (anyone can send it) and the connection's peer address counts.
   */
  trustProxy?: number
  /**
   * Host names this server answers to (the `Host` header; ports are not compared): exact
   * names, or `.example.com` for a name and its subdomains. Others get 403 on both pipes.
   * Default: any host. Set it to shut out DNS rebinding, see server.md.
   */
  allowedHosts?: readonly string[]
  /** Largest event `publish` accepts, in UTF-8 bytes of its block. Default 1 MiB, at most 256 MiB. */
  maxMessageBytes?: number
  /** Events replayed to one resuming client; a longer gap gets `reset`. Default 10,000. */
  maxReplay?: number
  /** Ms a WebSocket client has to send its hello frame. Default 10,000. */
  helloTimeout?: number
  /**
   * The longest a long-poll with nothing to send is held, in ms: a poll's `hold` is capped
   * by it (and is it when the poll names none). Keep it under the idle timeout of every
   * proxy in front of the server. Default 25,000.
   */
  pollTimeout?: number
  /**
   * Ms a connection may live, ±10 % drawn per connection; then it gets the close event
   * `{"reconnect":true}` and ends, on both pipes, so clients re-resolve their headers
   * (tokens) and spread onto instances added since. Default: no limit.
   */
  maxConnectionAge?: number
  /** Extra origins allowed to open a WebSocket (same host and no Origin always are). */
  origins?: OriginOption
  /** Cross-origin SSE; off by default (same-origin only, no CORS headers). */
  cors?: CorsOptions
  /** Told when the hub cuts a subscriber on its own. */
  onCut?: (info: CutInfo) => void
  /**
   * Told each countable thing as it happens — a connection opened or closed, an event
   * published, a resume, a reset, a cut — for counters of your own (Prometheus,
   * OpenTelemetry). Called synchronously; what it throws goes to `onError`. See server.md.
   */
  onMetric?: (metric: HubMetric) => void
  /** Told when the log fails while serving a connection (the connection is dropped). */
  onError?: (error: unknown) => void
}

/** {@link HubOptions} with every default applied. */
export interface ResolvedHubOptions {
  log: EventLog
  heartbeat: number
  retry: number
  maxBufferedBytes: number
  maxClients: number
  maxClientsPerAddress: number | undefined
  trustProxy: number
  allowedHosts: readonly string[] | undefined
  maxMessageBytes: number
  maxReplay: number
  helloTimeout: number
  pollTimeout: number
  maxConnectionAge: number | undefined
  origins: OriginOption | undefined
  cors: CorsOptions | undefined
  onCut: (info: CutInfo) => void
  onMetric: ((metric: HubMetric) => void) | undefined
  onError: (error: unknown) => void
}

/** Picks the stream of a WebSocket upgrade: a fixed name or one derived from the request. */
export type StreamSelector = string | ((req: IncomingMessage) => string)

/** 256 MiB: an event block, with its id line, must fit one JavaScript string. */
const MAX_MESSAGE_BYTES = 2 ** 28

function integer(name: string, value: number, min: number, max: number) {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new LifelineError('invalid-option', `${name} must be an integer from ${min} to ${max}`)
  return value
}

function positive(name: string, value: number | undefined, fallback: number, max = Infinity) {
  return integer(name, value ?? fallback, 1, max)
}

function hosts(value: readonly string[] | undefined) {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.some((host) => typeof host !== 'string' || host === ''))
    throw new LifelineError('invalid-option', 'allowedHosts must be a list of host names')
  return [...value]
}

function callback<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new LifelineError('invalid-option', `${name} must be a function`)
  return value
}

/** Applies the defaults and rejects values that cannot work. */
export function resolveHubOptions(options: HubOptions): ResolvedHubOptions {
  return {
    log: options.log ?? memoryLog(),
    heartbeat: positive('heartbeat', options.heartbeat, 15_000, MAX_DELAY_MS),
    retry: positive('retry', options.retry, 1_000, MAX_DELAY_MS),
    maxBufferedBytes: positive('maxBufferedBytes', options.maxBufferedBytes, 1_048_576),
    maxClients: positive('maxClients', options.maxClients, 10_000),
    maxClientsPerAddress:
      options.maxClientsPerAddress === undefined
        ? undefined
        : positive('maxClientsPerAddress', options.maxClientsPerAddress, 1),
    trustProxy: integer('trustProxy', options.trustProxy ?? 0, 0, 100),
    allowedHosts: hosts(options.allowedHosts),
    maxMessageBytes: positive(
      'maxMessageBytes',
      options.maxMessageBytes,
      1_048_576,
      MAX_MESSAGE_BYTES,
    ),
    maxReplay: positive('maxReplay', options.maxReplay, 10_000),
    helloTimeout: positive('helloTimeout', options.helloTimeout, 10_000, MAX_DELAY_MS),
    pollTimeout: positive('pollTimeout', options.pollTimeout, 25_000, MAX_DELAY_MS),
    maxConnectionAge:
      options.maxConnectionAge === undefined
        ? undefined
        : positive('maxConnectionAge', options.maxConnectionAge, 1, MAX_CONNECTION_AGE),
    origins: options.origins,
    cors: options.cors,
    onCut: options.onCut ?? (() => {}),
    onMetric: callback('onMetric', options.onMetric),
    onError: options.onError ?? ((error) => console.error('[lifeline] server error', error)),
  }
}
