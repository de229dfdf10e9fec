import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { exceedsBytes } from '@lifeline/core'
import { admitUpgrade } from './admission'
import { attachUpgrades, type UpgradeSource } from './attach'
import { type Channel, openChannel } from './channel'
import { retireWhenOld } from './connection-age'
import { createConnectionLimits } from './connection-limits'
import { createEntryBytes } from './entry-bytes'
import { hubClosedError, invalidEventError, messageTooLargeError } from './errors'
import type { NewEvent, PublishOptions } from './log'
import { createMetrics, type HubStats } from './metrics'
import { type HubOptions, resolveHubOptions, type StreamSelector } from './options'
import type { Farewell, PipeContext } from './pipe-context'
import { MAX_POLL_BYTES, pollSubscriber } from './poll'
import { blockExceeds, comment, controlEvent } from './serialize'
import { serveNode } from './sse-node'
import { serveFetch } from './sse-web'
import { createSubscriber, type Outlet, type Subscriber } from './subscriber'
import { refuseUpgrade } from './upgrade-refusal'
import type { UpgradeHandler } from './websocket'

/**
 * What `hub.sse` and `hub.fetch` serve: the stream's name, and the client's address.
 *
 * @example
 * ```ts
 * Deno.serve((request, info) =>
 *   hub.fetch(request, { stream: 'prices', address: info.remoteAddr.hostname }),
 * )
 * ```
 */
export interface SseOptions {
  stream: string
  /**
   * The address the connection counts under for `maxClientsPerAddress`. Default: on
   * `hub.sse` the socket's peer (or `X-Forwarded-For` under `trustProxy`); on `hub.fetch`,
   * which sees no socket, only `X-Forwarded-For` under `trustProxy`, else it is not counted.
   */
  address?: string
}

/**
 * Where `hub.attach` serves WebSocket upgrades.
 *
 * @example
 * ```ts
 * hub.attach(server, { path: '/events', stream: (req) => new URL(req.url ?? '/', 'http://x').searchParams.get('room') ?? 'lobby' })
 * ```
 */
export interface AttachOptions {
  /**
   * Only upgrades to this pathname are served; others are left to the server's other upgrade
   * listeners, or, when every listener is a `hub.attach` that does not serve them, get 404.
   */
  path?: string
  stream: StreamSelector
}

/**
 * Options of `hub.close`.
 *
 * @example
 * ```ts
 * await hub.close({ reconnect: false, timeout: 2_000 })
 * ```
 */
export interface CloseOptions {
  /** Whether clients should come back (to another instance, or this one restarted). Default true. */
  reconnect?: boolean
  /** Ms to wait for connections to drain before they are destroyed. Default 5,000. */
  timeout?: number
}

/**
 * A hub of named streams served over SSE, long-poll and WebSocket from one event log.
 *
 * @example
 * ```ts
 * const hub = createHub()
 * const server = http.createServer((req, res) => hub.sse(req, res, { stream: 'prices' }))
 * hub.attach(server, { stream: 'prices' })
 * await hub.publish('prices', { type: 'price', data: '{"eur":1.08}' })
 * ```
 */
export interface Hub {
  /**
   * Appends an event to `stream`'s log and fans it out; resolves with the id the log gave it.
   * At-least-once when retried after a failure; exactly-once with an idempotency `key`.
   */
  publish(stream: string, event: NewEvent, options?: PublishOptions): Promise<string>
  /**
   * Ends `stream` for good: appends the `close` control event `{"reconnect":false}` to its
   * log, so every connection on it — on every instance sharing the log, and every later
   * replay (`from: 'start'`, a resume from before it) — is told to stop, and the client
   * closes (state `closed`, reason `server-close`). For a finished or stopped answer: a
   * disconnect reconnects and resumes, an end does not. Resolves with the event's id.
   */
  end(stream: string): Promise<string>
  /**
   * Serves SSE on a Node request (Express and Fastify: pass the raw objects), and the
   * long-poll transport's polls (query `transport=long-poll`) on the same path.
   */
  sse(req: IncomingMessage, res: ServerResponse, options: SseOptions): void
  /**
   * Serves SSE, and long-poll's polls, as a Web `Response` (Deno, Bun, edge runtimes, any
   * fetch-style router).
   */
  fetch(request: Request, options: SseOptions): Response
  /** Serves WebSocket upgrades of `server`; returns a function that detaches again. */
  attach(server: UpgradeSource, options: AttachOptions): () => void
  /** Serves one WebSocket upgrade, for apps that route upgrades themselves. */
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    options: { stream: StreamSelector },
  ): void
  /** What is open now, by pipe and stream, and the counters since the hub was created. */
  stats(): HubStats
  /**
   * Sends the `close` control event to every connection, waits for them to drain, and ends
   * them. Later SSE requests get the same event; later WebSocket upgrades get 503.
   */
  close(options?: CloseOptions): Promise<void>
}

const HEARTBEAT = comment('')
/** The entry `hub.end` appends: the close control event that tells clients to stop. */
const END: NewEvent = { type: 'close', data: '{"reconnect":false}' }
/** Longest idempotency key `publish` takes, in UTF-8 bytes. */
const MAX_KEY_BYTES = 256

/**
 * Creates a hub.
 *
 * @example
 * ```ts
 * import { createHub, memoryLog } from '@lifeline/server'
 * const hub = createHub({ log: memoryLog({ capacity: 10_000 }), heartbeat: 15_000, retry: 1_000 })
 * ```
 */
export function createHub(hubOptions: HubOptions = {}): Hub {
  const options = resolveHubOptions(hubOptions)
  const channels = new Map<string, Channel>()
  const subscribers = new Set<Subscriber>()
  // Serialised once per entry: live fan-out and every replay share the same bytes.
  const entryBytes = createEntryBytes()
  const metrics = createMetrics(options.onMetric, options.onError)
  const pollBytes = Math.min(MAX_POLL_BYTES, options.maxBufferedBytes / 2)
  let farewell: Farewell | undefined
  let closing: Promise<void> | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let drained: (() => void) | undefined
  let upgrades: Promise<UpgradeHandler> | undefined

  const channelOf = (stream: string) => {
    let channel = channels.get(stream)
    if (channel === undefined) {
      channel = openChannel(stream, {
        log: options.log,
        retry: options.retry,
        maxReplay: options.maxReplay,
        maxBufferedBytes: options.maxBufferedBytes,
        bytesOf: entryBytes.bytesOf,
        onEmpty: () => channels.delete(stream),
        // A poll counts its own placement once it knows how much it really replayed.
        onPlaced: (subscriber, placement) =>
          subscriber.placed === undefined
            ? metrics.placed(subscriber, placement)
            : subscriber.placed(placement),
      })
      channels.set(stream, channel)
    }
    return channel
  }

  // One timer for the hub, only while someone is connected: no handle is left when idle.
  const tick = () => {
    for (const subscriber of subscribers) subscriber.heartbeat(HEARTBEAT)
  }

  const onGone = (subscriber: Subscriber) => {
    subscribers.delete(subscriber)
    metrics.disconnected(subscriber)
    channels.get(subscriber.stream)?.leave(subscriber)
    if (subscribers.size > 0) return
    clearInterval(heartbeat)
    heartbeat = undefined
    drained?.()
  }

  const limits = createConnectionLimits(options.maxClients, options.maxClientsPerAddress)
  const context: PipeContext = {
    options,
    get farewell() {
      return farewell
    },
    claim: limits.claim,
    connect(stream, pipe, outlet, start, place, hold) {
      const metered: Outlet = {
        ...outlet,
        write(chunk, written) {
          metrics.written(chunk.byteLength)
          outlet.write(chunk, written)
        },
      }
      const base = createSubscriber({
        stream,
        pipe,
        outlet: metered,
        maxBufferedBytes: options.maxBufferedBytes,
        onCut(cut) {
          metrics.cut(cut, cut.bufferedBytes)
          options.onCut({ stream, pipe, reason: 'slow-consumer', bufferedBytes: cut.bufferedBytes })
        },
        onGone() {
          place.release()
          stopAging?.()
          onGone(subscriber)
        },
      })
      const subscriber =
        hold === undefined
          ? base
          : pollSubscriber(base, {
              hold,
              maxBytes: pollBytes,
              entryOf: entryBytes.entryOf,
              onPlaced: (placement) => metrics.placed(base, placement),
            })
      // A poll lasts at most pollTimeout: neither an age nor heartbeats apply to it.
      const { maxConnectionAge } = options
      const stopAging =
        maxConnectionAge === undefined || hold !== undefined
          ? undefined
          : retireWhenOld(subscriber, maxConnectionAge, Math.random)
      subscribers.add(subscriber)
      metrics.connected(subscriber)
      if (hold === undefined) heartbeat ??= setInterval(tick, options.heartbeat)
      channelOf(stream)
        .join(subscriber, start)
        .catch((error: unknown) => {
          options.onError(error)
          subscriber.destroy()
        })
      return subscriber
    },
  }

  const upgradeHandler = () => {
    upgrades ??= import('./websocket').then((module) => module.createUpgradeHandler(context))
    return upgrades
  }

  const handleUpgrade: Hub['handleUpgrade'] = (req, socket, head, { stream }) => {
    const admission = admitUpgrade(context, req)
    if (admission.kind === 'refuse')
      return refuseUpgrade(socket, admission.status, admission.headers)
    const { place } = admission
    upgradeHandler()
      .then((handler) => handler.handle(req, socket, head, stream, place))
      .catch((error: unknown) => {
        options.onError(error)
        place.release()
        socket.destroy()
      })
  }

  const checkStream = (stream: string) => {
    if (farewell !== undefined) throw hubClosedError()
    if (typeof stream !== 'string' || stream === '')
      throw invalidEventError('stream must be a non-empty string')
  }

  return {
    async publish(stream, event, publishOptions) {
      checkStream(stream)
      const { type, data } = event
      if (typeof data !== 'string') throw invalidEventError('event data must be a string')
      if (type !== undefined && typeof type !== 'string')
        throw invalidEventError('event type must be a string')
      // First: it answers from the lengths alone, before anything scans the event.
      if (blockExceeds(event, options.maxMessageBytes))
        throw messageTooLargeError(options.maxMessageBytes)
      if (type !== undefined && /[\r\n]/.test(type))
        throw invalidEventError('event type must not contain a line break')
      if (type === 'close' || type === 'reset')
        throw invalidEventError(`event type "${type}" is reserved for control events`)
      const key = publishOptions?.key
      if (
        key !== undefined &&
        (typeof key !== 'string' || key === '' || exceedsBytes(key, MAX_KEY_BYTES))
      )
        throw invalidEventError(`key must be a string of 1 to ${MAX_KEY_BYTES} UTF-8 bytes`)
      const entry = await options.log.append(stream, event, key === undefined ? undefined : { key })
      metrics.published(stream)
      return entry.id
    },

    async end(stream) {
      checkStream(stream)
      // In the log, not only on this instance's connections: the end must reach every
      // instance, and a client that replays the stream later.
      const entry = await options.log.append(stream, END)
      return entry.id
    },

    sse(req, res, { stream, address }) {
      serveNode(context, req, res, stream, address)
    },

    fetch(request, { stream, address }) {
      return serveFetch(context, request, stream, address)
    },

    attach(server, { path, stream }) {
      return attachUpgrades(server, path, (req, socket, head) =>
        handleUpgrade(req, socket, head, { stream }),
      )
    },

    handleUpgrade,

    stats: () => metrics.snapshot(subscribers, channels.size),

    close({ reconnect = true, timeout = 5_000 } = {}) {
      if (closing !== undefined) return closing
      const data = reconnect
        ? JSON.stringify({ reconnect: true, retry: options.retry })
        : '{"reconnect":false}'
      farewell = { chunk: controlEvent('close', data), code: reconnect ? 1012 : 1001 }
      const { chunk } = farewell
      closing = (async () => {
        if (subscribers.size > 0) {
          let timer: ReturnType<typeof setTimeout> | undefined
          await new Promise<void>((resolve) => {
            drained = resolve
            timer = setTimeout(resolve, timeout)
            for (const subscriber of [...subscribers]) subscriber.end(chunk)
          })
          clearTimeout(timer)
          for (const subscriber of [...subscribers]) subscriber.destroy()
        }
        if (upgrades !== undefined) (await upgrades).close()
      })()
      return closing
    },
  }
}
