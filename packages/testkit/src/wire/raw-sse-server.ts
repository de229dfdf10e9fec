import type http from 'node:http'

/** Options of {@link createRawSseServer}. */
export interface RawSseServerOptions {
  /** Events available at start; `append` adds more. Default 0. */
  available?: number
  /** Characters of each event's `data` (its number, padded with dots). Default 16. */
  dataBytes?: number
  /** Write this comment first on every stream (after the headers). Default none. */
  preamble?: string
}

/** One request the server received. */
export interface RawSseRequest {
  lastEventId: string | undefined
  method: string | undefined
}

/**
 * A plain SSE endpoint with no Lifeline logic, for adapter tests: event `n` has id `n`
 * and data `n` padded to `dataBytes`; a request resumes after its `Last-Event-ID`.
 * Streams stay open until `cut()` or the client goes; writes respect backpressure.
 */
export interface RawSseServer {
  /** The request handler: mount it on an `http.Server`. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void
  /** Makes `count` more events available and sends them to every open stream. */
  append(count?: number): void
  /** Destroys every open stream, as a server crash or a proxy would. */
  cut(): void
  /** Resolves once no stream is open; rejects after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void>
  /** Requests in arrival order. */
  readonly requests: readonly RawSseRequest[]
  /** Streams open now. */
  readonly open: number
  /** Events available so far. */
  readonly available: number
}

interface Stream {
  res: http.ServerResponse
  next: number
  waiting: boolean
}

/** The data of event `n`: its number padded with dots to `dataBytes`. */
export const rawEventData = (n: number, dataBytes: number) => String(n).padEnd(dataBytes, '.')

/**
 * Creates a {@link RawSseServer}.
 *
 * @example
 * ```ts
 * const sse = createRawSseServer({ available: 3 })
 * const app = await browser.open({ entry, handler: (req, res) => sse.handle(req, res) })
 * sse.cut()
 * ```
 */
export function createRawSseServer(options: RawSseServerOptions = {}): RawSseServer {
  const dataBytes = options.dataBytes ?? 16
  let available = options.available ?? 0
  const requests: RawSseRequest[] = []
  const streams = new Set<Stream>()
  let idleWaiters: (() => void)[] = []
  const settleIdle = () => {
    if (streams.size > 0) return
    for (const resolve of idleWaiters) resolve()
    idleWaiters = []
  }

  const pump = (stream: Stream) => {
    if (stream.waiting) return
    // Batch events into one write of up to ~64 KiB: a write per event would make the
    // server, not the client under test, the bottleneck.
    while (stream.next <= available) {
      let chunk = ''
      while (stream.next <= available && chunk.length < 65_536) {
        chunk += `id: ${stream.next}\ndata: ${rawEventData(stream.next, dataBytes)}\n\n`
        stream.next++
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
  }

  return {
    handle(req, res) {
      const header = req.headers['last-event-id']
      const lastEventId = typeof header === 'string' ? header : undefined
      requests.push({ lastEventId, method: req.method })
      const after = Number(lastEventId ?? 0)
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      res.flushHeaders()
      if (options.preamble !== undefined) res.write(`: ${options.preamble}\n\n`)
      const next = Number.isSafeInteger(after) ? after + 1 : 1
      const stream: Stream = { res, next, waiting: false }
      streams.add(stream)
      res.on('close', () => {
        streams.delete(stream)
        settleIdle()
      })
      pump(stream)
    },
    append(count = 1) {
      available += count
      for (const stream of streams) pump(stream)
    },
    cut() {
      for (const stream of streams) stream.res.destroy()
      streams.clear()
      settleIdle()
    },
    idle(timeoutMs) {
      if (streams.size === 0) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${streams.size} SSE stream(s) still open after ${timeoutMs} ms`)),
          timeoutMs,
        )
        idleWaiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    },
    requests,
    get open() {
      return streams.size
    },
    get available() {
      return available
    },
  }
}
