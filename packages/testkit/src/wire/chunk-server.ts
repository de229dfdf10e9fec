import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { closeServer, freeLoopbackPort, listenOnLoopback } from './loopback'
import { createSocketTracker } from './socket-tracker'

/** Bytes on the wire: a string (sent as UTF-8) or raw bytes, e.g. half a UTF-8 sequence. */
export type Chunk = string | readonly number[]

/** What the chunk server answers one request with. */
export type ChunkReply =
  | {
      /** Defaults to 200. */
      status?: number
      /** Defaults to `content-type: text/event-stream` (and nothing else). */
      headers?: Record<string, string>
      /** Written one by one, each flushed to the socket before the next. */
      chunks?: readonly Chunk[]
      /** After the chunks: end the response (default), keep it open, or cut the socket. */
      after?: 'end' | 'hold' | 'destroy'
    }
  /** Accept the connection and read the request, but never answer it. */
  | 'silent'

/** A request as the chunk server saw it. */
export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
}

/** A raw HTTP server on 127.0.0.1 that writes exactly the chunks it is told to. */
export interface ChunkServer {
  /** `http://127.0.0.1:<port>` plus `path`. */
  url(path?: string): URL
  /** Every request so far, in arrival order. */
  readonly requests: readonly ReceivedRequest[]
  /** Sockets that carried a request and are still open; 0 once every client let go. */
  openSockets(): number
  /** Resolves once `openSockets()` is 0; rejects after `timeoutMs`. */
  drained(timeoutMs?: number): Promise<void>
  /** Cuts every connection and stops listening. */
  close(): Promise<void>
}

/** Options of {@link startChunkServer}. */
export interface ChunkServerOptions {
  /**
   * Pause between flushed chunks, in ms, so each is likely its own read on the client and
   * a split really is a split. Results never depend on it: a parser must accept any split.
   */
  paceMs?: number
}

function toBuffer(chunk: Chunk): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk)
}

async function write(res: ServerResponse, chunk: Chunk): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    res.write(toBuffer(chunk), (error) => (error ? reject(error) : resolve()))
  })
}

async function answer(
  reply: Exclude<ChunkReply, 'silent'>,
  res: ServerResponse,
  paceMs: number,
): Promise<void> {
  const headers = reply.headers ?? { 'content-type': 'text/event-stream' }
  const after = reply.after ?? 'end'
  // Chunked, so a cut socket is an incomplete body (a network error), never a clean end.
  const framing = reply.status === 204 ? {} : { 'transfer-encoding': 'chunked' }
  // A response that ends also closes its socket, so `openSockets()` counts only what a
  // client still holds, not what its pool parks. Not on a cut: Node's fetch (undici) takes a
  // close after `connection: close` for a clean end even mid-chunk.
  const connection = after === 'end' ? { connection: 'close' } : {}
  res.writeHead(reply.status ?? 200, { ...headers, ...framing, ...connection })
  res.flushHeaders()
  for (const [index, chunk] of (reply.chunks ?? []).entries()) {
    if (index > 0 && paceMs > 0) await delay(paceMs)
    if (res.destroyed) return
    await write(res, chunk)
  }
  if (after === 'end') res.end()
  else if (after === 'destroy') res.socket?.destroy()
}

/**
 * Starts a chunk server on 127.0.0.1 with an OS-chosen port. `handler` decides each reply.
 *
 * @example
 * ```ts
 * const server = await startChunkServer(() => ({ chunks: ['data: a\r', '\ndata: b\n\n'] }))
 * // ... open a transport on server.url('/events')
 * await server.close()
 * ```
 */
export async function startChunkServer(
  handler: (request: ReceivedRequest) => ChunkReply,
  options: ChunkServerOptions = {},
): Promise<ChunkServer> {
  const paceMs = options.paceMs ?? 2
  const requests: ReceivedRequest[] = []
  // Only sockets that carried a request count: after an aborted request, Node's fetch
  // (undici) opens a spare idle connection for its pool, which no transport holds.
  const sockets = createSocketTracker()
  const track = sockets.track

  const server = createServer((req, res) => {
    const received: ReceivedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
    }
    requests.push(received)
    track(req.socket)
    const reply = handler(received)
    if (reply === 'silent') return
    answer(reply, res, paceMs).catch(() => res.destroy())
  })
  const port = await listenOnLoopback(server)

  return {
    url: (path = '/') => new URL(path, `http://127.0.0.1:${port}`),
    requests,
    openSockets: () => sockets.size,
    drained: (timeoutMs) => sockets.drained(timeoutMs),
    close: () => closeServer(server),
  }
}

/**
 * A URL on 127.0.0.1 where nothing listens: a port the OS just handed out and took back,
 * so a connect is refused.
 */
export async function refusedUrl(path = '/'): Promise<URL> {
  return new URL(path, `http://127.0.0.1:${await freeLoopbackPort()}`)
}
