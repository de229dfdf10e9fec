import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * What a {@link TinySseServer} does with a `Last-Event-ID` it does not have: serve live
 * events as if fresh, answer HTTP 500 (a naive server), or accept and send nothing.
 */
export type UnknownResumePoint = 'live' | 'status-500' | 'silence'

/**
 * Options of {@link startTinySseServer}.
 *
 * @example
 * ```ts
 * const server = await startTinySseServer({ closeEvent: true, endAfter: 40 })
 * ```
 */
export interface TinySseServerOptions {
  /** Send the article's `event: close` / `data: Connection closed` before ending a stream. */
  closeEvent?: boolean
  /** End every stream after it carried this many events, as the article's server does. */
  endAfter?: number
  /** Default `'live'`. */
  unknownResumePoint?: UnknownResumePoint
}

/** One request the server saw. */
export interface TinyRequest {
  lastEventId: string | undefined
  status: number
}

/** A hand-written SSE server, not the hub: what many production servers look like. */
export interface TinySseServer {
  /** `http://127.0.0.1:<port>/events`. */
  readonly url: string
  readonly requests: TinyRequest[]
  /** Appends an event to the history and writes it to every open stream; returns its id. */
  publish(data: string): string
  /** Ends every open stream (with the close event when the server sends one). */
  disconnectAll(): void
  /** Forgets the history, as a restart would: every earlier id is now unknown. */
  forget(): void
  close(): Promise<void>
}

/**
 * Starts a tiny SSE server on 127.0.0.1 that keeps its history in memory and honours
 * `Last-Event-ID`: a known id gets everything after it, no id gets live events only. Ids are
 * `<generation>-<n>`; {@link TinySseServer.forget} starts a new generation.
 *
 * @example
 * ```ts
 * const server = await startTinySseServer({ unknownResumePoint: 'status-500' })
 * server.publish('hello')
 * ```
 */
export async function startTinySseServer(
  options: TinySseServerOptions = {},
): Promise<TinySseServer> {
  const unknown = options.unknownResumePoint ?? 'live'
  let generation = 1
  let history: { id: string; data: string }[] = []
  const streams = new Map<ServerResponse, { sent: number }>()
  const requests: TinyRequest[] = []

  const end = (res: ServerResponse) => {
    streams.delete(res)
    if (options.closeEvent) res.write('event: close\ndata: Connection closed\n\n')
    res.end()
  }
  const write = (res: ServerResponse, event: { id: string; data: string }) => {
    const stream = streams.get(res)
    if (stream === undefined) return
    res.write(`id: ${event.id}\ndata: ${event.data}\n\n`)
    stream.sent++
    if (options.endAfter !== undefined && stream.sent >= options.endAfter) end(res)
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers['last-event-id']
    const lastEventId = typeof header === 'string' && header !== '' ? header : undefined
    const known = lastEventId === undefined ? -1 : history.findIndex((e) => e.id === lastEventId)
    const fresh = lastEventId === undefined || (known === -1 && unknown === 'live')
    if (!fresh && known === -1 && unknown === 'status-500') {
      requests.push({ lastEventId, status: 500 })
      res.writeHead(500, { 'content-type': 'text/plain' }).end('unknown Last-Event-ID')
      return
    }
    requests.push({ lastEventId, status: 200 })
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    if (!fresh && known === -1) {
      // Accepted, then nothing: the response head goes out, no byte of body ever follows.
      res.flushHeaders()
      return
    }
    streams.set(res, { sent: 0 })
    res.on('close', () => streams.delete(res))
    // A comment, so the client has its first byte before any event.
    res.write(': hello\n\n')
    if (!fresh) for (const event of history.slice(known + 1)) write(res, event)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/events`,
    requests,
    publish(data) {
      const event = { id: `${generation}-${history.length + 1}`, data }
      history.push(event)
      for (const res of [...streams.keys()]) write(res, event)
      return event.id
    },
    disconnectAll() {
      for (const res of [...streams.keys()]) end(res)
    },
    forget() {
      generation++
      history = []
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
