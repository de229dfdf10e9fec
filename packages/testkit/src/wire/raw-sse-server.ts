import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createNotifier, until } from '../wait'
import { closeServer, listenOnLoopback } from './loopback'

/**
 * What the server does with a `Last-Event-ID` it does not hold: serve live events as if
 * fresh, answer HTTP 500 (a naive server), or accept and send nothing.
 */
export type UnknownResumePoint = 'live' | 'status-500' | 'silence'

/**
 * Options of {@link createRawSseServer}.
 *
 * @example
 * ```ts
 * const sse = createRawSseServer({ available: 3, dataBytes: 1_000 })
 * const article = await startRawSseServer({ closeEvent: true, endAfter: 25, fresh: 'live' })
 * ```
 */
export interface RawSseServerOptions {
  /** Numbered events held at start; `append` adds more. Default 0. */
  available?: number
  /** Characters of a numbered event's `data` (its number, padded with dots). Default 16. */
  dataBytes?: number
  /** Write this comment first on every stream (after the headers). Default none. */
  preamble?: string
  /** What a request without `Last-Event-ID` gets: every held event (default), or new ones. */
  fresh?: 'history' | 'live'
  /** Default `'live'`. */
  unknownResumePoint?: UnknownResumePoint
  /** Send the article's `event: close` / `data: Connection closed` before ending a stream. */
  closeEvent?: boolean
  /** End every stream after it carried this many events, as the article's server does. */
  endAfter?: number
}

/** One request the server received. */
export interface RawSseRequest {
  /** The `Last-Event-ID` header as sent. */
  lastEventId: string | undefined
  method: string | undefined
  /** What the server answered. */
  status: number
}

/**
 * A plain SSE server with no Lifeline logic, as many production servers are: it holds a
 * history of events with ids `1`, `2`, … and honours `Last-Event-ID` (a held id gets
 * everything after it). Streams stay open until the server ends or cuts them or the client
 * goes; writes are batched and respect backpressure.
 */
export interface RawSseServer {
  /** The request handler: mount it on an `http.Server` (or a browser page's server). */
  handle(req: IncomingMessage, res: ServerResponse): void
  /** Holds `count` more numbered events and sends them to every open stream. */
  append(count?: number): void
  /** Holds one event with this data and sends it to every open stream; returns its id. */
  publish(data: string): string
  /** Ends every open stream cleanly, with the close event when the server sends one. */
  endAll(): void
  /** Destroys every open stream, as a server crash or a proxy would. */
  cut(): void
  /** Drops the history, as a restart would: every id so far is now unknown. */
  forget(): void
  /** Resolves once no stream is open; rejects after `timeoutMs`. */
  idle(timeoutMs?: number): Promise<void>
  /** Requests in arrival order. */
  readonly requests: readonly RawSseRequest[]
  /** Streams open now. */
  readonly open: number
}

/** A {@link RawSseServer} listening on 127.0.0.1 by itself. */
export interface ListeningRawSseServer extends RawSseServer {
  /** `http://127.0.0.1:<port>/events` (every path is the stream). */
  readonly url: string
  close(): Promise<void>
}

interface Stream {
  res: ServerResponse
  /** The id of the next event to write. */
  next: number
  sent: number
  /** Accepted and never written to (`unknownResumePoint: 'silence'`). */
  silent: boolean
  waiting: boolean
}

/** The data of numbered event `n`: its number padded with dots to `dataBytes`. */
export const rawEventData = (n: number, dataBytes: number) => String(n).padEnd(dataBytes, '.')

const CLOSE_EVENT = 'event: close\ndata: Connection closed\n\n'

/**
 * Creates a {@link RawSseServer}, to mount on a server of one's own.
 *
 * @example
 * ```ts
 * const sse = createRawSseServer({ available: 3 })
 * const app = await browser.open({ entry, handler: sse.handle })
 * sse.cut()
 * ```
 */
export function createRawSseServer(options: RawSseServerOptions = {}): RawSseServer {
  const dataBytes = options.dataBytes ?? 16
  const unknown = options.unknownResumePoint ?? 'live'
  let newest = options.available ?? 0
  // Ids up to `forgotten` are no longer held; published data by id (the rest is numbered).
  let forgotten = 0
  const published = new Map<number, string>()
  const requests: RawSseRequest[] = []
  const streams = new Set<Stream>()
  const changes = createNotifier()

  const end = (stream: Stream) => {
    streams.delete(stream)
    if (options.closeEvent && !stream.silent) stream.res.write(CLOSE_EVENT)
    stream.res.end()
  }
  const pump = (stream: Stream) => {
    if (stream.waiting || stream.silent || !streams.has(stream)) return
    const last = () =>
      options.endAfter === undefined
        ? newest
        : Math.min(newest, stream.next + options.endAfter - stream.sent - 1)
    // Batch events into one write of up to ~64 KiB: a write per event would make the
    // server, not the client under test, the bottleneck.
    while (stream.next <= last()) {
      let chunk = ''
      while (stream.next <= last() && chunk.length < 65_536) {
        const data = published.get(stream.next) ?? rawEventData(stream.next, dataBytes)
        chunk += `id: ${stream.next}\ndata: ${data}\n\n`
        stream.next++
        stream.sent++
      }
      if (!stream.res.write(chunk)) {
        stream.waiting = true
        stream.res.once('drain', () => {
          stream.waiting = false
          pump(stream)
        })
        return
      }
    }
    if (stream.sent === options.endAfter) end(stream)
  }
  /** Where a request's stream starts, or `undefined` for a resume point not held. */
  const startOf = (lastEventId: string | undefined): number | undefined => {
    if (lastEventId === undefined || lastEventId === '')
      return options.fresh === 'live' ? newest + 1 : forgotten + 1
    const n = Number(lastEventId)
    const held = String(n) === lastEventId && Number.isSafeInteger(n) && n > forgotten
    return held && n <= newest ? n + 1 : undefined
  }

  return {
    handle(req, res) {
      const header = req.headers['last-event-id']
      const lastEventId = typeof header === 'string' ? header : undefined
      const start = startOf(lastEventId)
      if (start === undefined && unknown === 'status-500') {
        requests.push({ lastEventId, method: req.method, status: 500 })
        res.writeHead(500, { 'content-type': 'text/plain' }).end('unknown Last-Event-ID')
        return
      }
      requests.push({ lastEventId, method: req.method, status: 200 })
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      res.flushHeaders()
      const silent = start === undefined && unknown === 'silence'
      const stream: Stream = { res, next: start ?? newest + 1, sent: 0, silent, waiting: false }
      streams.add(stream)
      res.on('close', () => {
        streams.delete(stream)
        changes.notify()
      })
      if (silent) return
      if (options.preamble !== undefined) res.write(`: ${options.preamble}\n\n`)
      pump(stream)
    },
    append(count = 1) {
      newest += count
      for (const stream of [...streams]) pump(stream)
    },
    publish(data) {
      newest++
      published.set(newest, data)
      for (const stream of [...streams]) pump(stream)
      return String(newest)
    },
    endAll() {
      for (const stream of [...streams]) end(stream)
    },
    cut() {
      for (const stream of streams) stream.res.destroy()
      streams.clear()
      changes.notify()
    },
    forget() {
      forgotten = newest
      published.clear()
    },
    async idle(timeoutMs) {
      await until(() => streams.size === 0, 'every SSE stream to close', {
        wake: changes.wake,
        timeoutMs,
        detail: () => `${streams.size} still open`,
      })
    },
    requests,
    get open() {
      return streams.size
    },
  }
}

/**
 * Starts a {@link RawSseServer} on its own `http.Server` on 127.0.0.1, port from the OS.
 *
 * @example
 * ```ts
 * const server = await startRawSseServer({ unknownResumePoint: 'status-500', fresh: 'live' })
 * server.publish('hello')
 * await server.close()
 * ```
 */
export async function startRawSseServer(
  options: RawSseServerOptions = {},
): Promise<ListeningRawSseServer> {
  const sse = createRawSseServer(options)
  const server = createServer(sse.handle)
  const port = await listenOnLoopback(server)
  return Object.assign(sse, {
    url: `http://127.0.0.1:${port}/events`,
    close: () => closeServer(server),
  })
}
