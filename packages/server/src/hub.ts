import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { type Channel, openChannel } from './channel'
import { hubClosedError, invalidEventError, messageTooLargeError } from './errors'
import type { Farewell, HubCore } from './hub-core'
import type { LogEntry, NewEvent, PublishOptions } from './log'
import { type HubOptions, type Pipe, resolveHubOptions, type StreamSelector } from './options'
import { comment, controlEvent, eventBody, serializeEntry, utf8Length } from './serialize'
import { serveFetch } from './sse-fetch-handler'
import { serveNode } from './sse-node'
import { createSubscriber, type Outlet, type Subscriber } from './subscriber'
import type { UpgradeHandler } from './websocket'

/** Where to serve SSE from: the stream's name. */
export interface SseOptions {
  stream: string
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
  /** Only upgrades to this pathname are served; others are left to other listeners. */
  path?: string
  stream: StreamSelector
}

/** Anything that emits Node's `upgrade` event: `http.Server`, `https.Server`, `http2` in compat. */
export interface UpgradeSource {
  on(
    event: 'upgrade',
    listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  ): unknown
  off(
    event: 'upgrade',
    listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  ): unknown
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

/** A snapshot of the hub's load. */
export interface HubStats {
  /** Open connections, both pipes. */
  clients: number
  /** Streams with at least one connection. */
  streams: number
  /** Bytes queued for all connections together. */
  bufferedBytes: number
}

/**
 * A hub of named streams served over SSE and WebSocket from one event log.
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
  /** Serves SSE on a Node request (Express and Fastify: pass the raw objects). */
  sse(req: IncomingMessage, res: ServerResponse, options: SseOptions): void
  /** Serves SSE as a Web `Response` (Deno, Bun, edge runtimes, any fetch-style router). */
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
  /** Current load. */
  stats(): HubStats
  /**
   * Sends the `close` control event to every connection, waits for them to drain, and ends
   * them. Later SSE requests get the same event; later WebSocket upgrades get 503.
   */
  close(options?: CloseOptions): Promise<void>
}

const HEARTBEAT = comment('')
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
  const serialized = new WeakMap<LogEntry, Uint8Array>()
  let farewell: Farewell | undefined
  let closing: Promise<void> | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let drained: (() => void) | undefined
  let upgrades: Promise<UpgradeHandler> | undefined

  const bytesOf = (entry: LogEntry) => {
    let bytes = serialized.get(entry)
    if (bytes === undefined) {
      bytes = serializeEntry(entry)
      serialized.set(entry, bytes)
    }
    return bytes
  }

  const channelOf = (stream: string) => {
    let channel = channels.get(stream)
    if (channel === undefined) {
      channel = openChannel(stream, {
        log: options.log,
        retry: options.retry,
        maxReplay: options.maxReplay,
        maxBufferedBytes: options.maxBufferedBytes,
        bytesOf,
        onEmpty: () => channels.delete(stream),
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
    channels.get(subscriber.stream)?.leave(subscriber)
    if (subscribers.size > 0) return
    clearInterval(heartbeat)
    heartbeat = undefined
    drained?.()
  }

  /** Connections that count toward maxClients before they are subscribers. */
  let held = 0
  const core: HubCore = {
    options,
    get farewell() {
      return farewell
    },
    hasRoom: () => subscribers.size + held < options.maxClients,
    hold() {
      held++
      let released = false
      return () => {
        if (released) return
        released = true
        held--
      }
    },
    connect(stream: string, pipe: Pipe, outlet: Outlet, resumePoint: string | undefined) {
      const subscriber = createSubscriber({
        stream,
        pipe,
        outlet,
        maxBufferedBytes: options.maxBufferedBytes,
        onCut: (cut) =>
          options.onCut({
            stream,
            pipe,
            reason: 'slow-consumer',
            bufferedBytes: cut.bufferedBytes,
          }),
        onGone,
      })
      subscribers.add(subscriber)
      heartbeat ??= setInterval(tick, options.heartbeat)
      channelOf(stream)
        .join(subscriber, resumePoint)
        .catch((error: unknown) => {
          options.onError(error)
          subscriber.destroy()
        })
      return subscriber
    },
  }

  const upgradeHandler = () => {
    upgrades ??= import('./websocket').then((module) => module.createUpgradeHandler(core))
    return upgrades
  }

  const handleUpgrade: Hub['handleUpgrade'] = (req, socket, head, { stream }) => {
    upgradeHandler()
      .then((handler) => handler.handle(req, socket, head, stream))
      .catch((error: unknown) => {
        options.onError(error)
        socket.destroy()
      })
  }

  return {
    async publish(stream, event, publishOptions) {
      if (farewell !== undefined) throw hubClosedError()
      if (typeof stream !== 'string' || stream === '')
        throw invalidEventError('stream must be a non-empty string')
      const { type } = event
      if (type !== undefined && /[\r\n]/.test(type))
        throw invalidEventError('event type must not contain a line break')
      if (type === 'close' || type === 'reset')
        throw invalidEventError(`event type "${type}" is reserved for control events`)
      const bytes = utf8Length(eventBody(event))
      if (bytes > options.maxMessageBytes)
        throw messageTooLargeError(bytes, options.maxMessageBytes)
      const key = publishOptions?.key
      if (
        key !== undefined &&
        (typeof key !== 'string' || key === '' || utf8Length(key) > MAX_KEY_BYTES)
      )
        throw invalidEventError(`key must be a string of 1 to ${MAX_KEY_BYTES} UTF-8 bytes`)
      const entry = await options.log.append(stream, event, key === undefined ? undefined : { key })
      return entry.id
    },

    sse(req, res, { stream }) {
      serveNode(core, req, res, stream)
    },

    fetch(request, { stream }) {
      return serveFetch(core, request, stream)
    },

    attach(server, { path, stream }) {
      const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (path !== undefined && new URL(req.url ?? '/', 'http://localhost').pathname !== path)
          return
        handleUpgrade(req, socket, head, { stream })
      }
      server.on('upgrade', listener)
      return () => {
        server.off('upgrade', listener)
      }
    },

    handleUpgrade,

    stats() {
      let bufferedBytes = 0
      for (const subscriber of subscribers) bufferedBytes += subscriber.bufferedBytes
      return { clients: subscribers.size, streams: channels.size, bufferedBytes }
    },

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
