import http, { type IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import { createBlockReader } from './blocks'
import { createWireSession, extendSession, type WireSession } from './wire-session'

/** An SSE response being read. */
export interface SseSession extends WireSession {
  readonly status: number
  readonly headers: IncomingHttpHeaders
}

/** What {@link openSse} sends. */
export interface SseRequest {
  /** Extra request headers (`--header`), before the ones the check sets. */
  headers: Readonly<Record<string, string>>
  /** Sent as `Last-Event-ID` when given. */
  lastEventId?: string
  /** The bound on the response head, in ms. */
  timeoutMs: number
}

/**
 * GETs `url` as a client does (`accept: text/event-stream`, no connection reuse) and
 * resolves once the response head arrived; the body is read into the session as it comes.
 * Rejects when the connection fails or no head arrives within the bound.
 */
export function openSse(url: URL, request: SseRequest): Promise<SseSession> {
  const headers: Record<string, string> = {
    ...request.headers,
    accept: 'text/event-stream',
    'cache-control': 'no-cache',
  }
  if (request.lastEventId !== undefined) headers['last-event-id'] = request.lastEventId
  const get = url.protocol === 'https:' ? https.get : http.get
  return new Promise<SseSession>((resolve, reject) => {
    const req = get(url, { headers, agent: false })
    const timer = setTimeout(() => {
      req.destroy()
      reject(new Error(`no response within ${request.timeoutMs} ms`))
    }, request.timeoutMs)
    let feed: ReturnType<typeof createWireSession> | undefined
    // Kept for the request's life: a socket error after the head must not go unhandled.
    req.on('error', (error) => {
      clearTimeout(timer)
      if (feed === undefined) reject(new Error(`the request failed: ${error.message}`))
      else feed.finish(`the connection failed: ${error.message}`)
    })
    req.once('response', (res) => {
      clearTimeout(timer)
      const session = createWireSession(() => req.destroy())
      feed = session
      const reader = createBlockReader()
      // [spec] the stream is decoded as UTF-8, whatever its content type says.
      const text = new TextDecoder('utf-8', { ignoreBOM: true })
      res.on('data', (chunk: Buffer) => {
        try {
          session.push(reader.feed(text.decode(chunk, { stream: true })))
        } catch (error) {
          session.finish(`the stream broke: ${(error as Error).message}`)
        }
      })
      res.once('end', () => session.finish('the response ended'))
      res.once('aborted', () => session.finish('the connection was cut'))
      res.on('error', (error) => session.finish(`the response failed: ${error.message}`))
      resolve(extendSession(session.session, { status: res.statusCode ?? 0, headers: res.headers }))
    })
  })
}
