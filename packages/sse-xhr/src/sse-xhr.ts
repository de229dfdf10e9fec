import {
  type CloseReason,
  type ConnectRequest,
  createDecoder,
  LifelineError,
  type Transport,
  type TransportConnection,
  type TransportSink,
} from '@lifeline/core'
import {
  type ResolvedSseXhrOptions,
  resolveOptions,
  type SseXhrOptions,
  type XMLHttpRequestLike,
} from './options'

const HEADERS_RECEIVED = 2
const DONE = 4

const utf8 = new TextEncoder()

/**
 * A header value is a byte string, so setRequestHeader rejects a char above U+00FF:
 * send the id as its UTF-8 bytes, one char per byte, as an EventSource would.
 */
function utf8ByteString(value: string): string {
  return String.fromCharCode(...utf8.encode(value))
}

/**
 * Creates the `'sse-xhr'` transport: Server-Sent Events over `XMLHttpRequest` progress
 * events, for browsers, React Native and webviews where `fetch` does not stream. Only the
 * new part of `responseText` is decoded on each progress event, and the request is
 * recycled at an event boundary after `maxResponseBytes`, so memory stays flat on an
 * endless stream. Throws a `LifelineError` with code `'invalid-option'` on a bad option.
 *
 * @example
 * ```ts
 * import { createClient } from '@lifeline/core'
 * import { sseXhr } from '@lifeline/sse-xhr'
 *
 * const client = createClient({
 *   url: '/events',
 *   transports: [sseXhr({ withCredentials: true })],
 * })
 * ```
 */
export function sseXhr(options: SseXhrOptions = {}): Transport {
  const resolved = resolveOptions(options)
  return {
    name: 'sse-xhr',
    open: (request, sink) => openXhr(resolved, request, sink),
  }
}

function openXhr(
  options: ResolvedSseXhrOptions,
  request: ConnectRequest,
  sink: TransportSink,
): TransportConnection {
  let xhr: XMLHttpRequestLike | undefined
  let done = false
  let opened = false
  // How much of responseText has been decoded: each progress event feeds only the rest.
  let offset = 0
  // Whether the chunk being decoded completed an event block: the only place to recycle.
  let boundary = false

  const finish = (reason: CloseReason) => {
    if (done) return
    done = true
    request.signal.removeEventListener('abort', abort)
    if (xhr !== undefined) {
      xhr.onreadystatechange = null
      xhr.onprogress = null
      xhr.onerror = null
      xhr.ontimeout = null
      if (xhr.readyState !== DONE) xhr.abort()
      xhr = undefined
    }
    sink.closed(reason)
  }
  const abort = () => finish({ kind: 'aborted' })

  const decoder = createDecoder(
    {
      event(e) {
        if (done) return
        boundary = true
        sink.event(e)
      },
      id(lastEventId) {
        if (done) return
        boundary = true
        sink.id(lastEventId)
      },
      retry(ms) {
        if (!done) sink.retry(ms)
      },
      protocolError: (message) => finish({ kind: 'protocol', message }),
    },
    { maxMessageBytes: Math.min(request.maxMessageBytes, options.maxMessageBytes) },
  )

  const accept = (req: XMLHttpRequestLike) => {
    const status = req.status
    // [spec] "HTTP 204 No Content ... must prevent the user agent from reconnecting".
    if (status === 204) return finish({ kind: 'no-content' })
    // [spec] "if res's status is not 200 ... fail the connection".
    if (status !== 200) return finish(status === 0 ? { kind: 'network' } : { kind: 'http', status })
    const type = req.getResponseHeader('content-type') ?? ''
    // [spec] "... or if res's Content-Type is not `text/event-stream`, then fail the connection".
    if (type.split(';')[0]?.trim().toLowerCase() !== 'text/event-stream')
      return finish({ kind: 'protocol', message: `unexpected content type: ${type || 'none'}` })
    opened = true
    sink.opened()
  }

  const pump = (req: XMLHttpRequestLike) => {
    const text = req.responseText
    if (text.length <= offset) return
    const chunk = text.slice(offset)
    offset = text.length
    sink.activity()
    boundary = false
    decoder.feed(chunk)
    // Recycle only right after a complete block: everything up to it has been delivered
    // and the rest is a partial block the server replays from the resume point. Waiting
    // for a boundary lets one event be larger than maxResponseBytes without a loop.
    if (!done && boundary && offset >= options.maxResponseBytes)
      finish({ kind: 'ended', recycled: true })
  }

  const onChange = () => {
    const req = xhr
    if (req === undefined || done) return
    if (!opened) {
      if (req.readyState < HEADERS_RECEIVED) return
      accept(req)
      if (done) return
    }
    pump(req)
    if (done || req.readyState !== DONE) return
    // A network error also reaches DONE, with status 0 and an empty response.
    finish(req.status === 0 ? { kind: 'network' } : { kind: 'ended' })
  }

  const fail = (error: unknown) => finish({ kind: 'network', error })

  const start = () => {
    if (done) return
    const Xhr = options.XMLHttpRequest ?? globalThis.XMLHttpRequest
    if (typeof Xhr !== 'function')
      return fail(
        new LifelineError(
          'invalid-option',
          'sseXhr: XMLHttpRequest is not available here; pass the XMLHttpRequest option',
        ),
      )
    try {
      const req = new Xhr()
      xhr = req
      req.open(options.method, (options.url ?? request.url).href, true)
      req.withCredentials = options.withCredentials
      // [spec] the stream is always UTF-8, whatever charset the server claims.
      req.overrideMimeType?.('text/plain; charset=utf-8')
      request.headers.forEach((value, name) => {
        // The client owns the resume point: a stray header must not resume behind its back.
        if (name !== 'last-event-id') req.setRequestHeader(name, value)
      })
      // No Cache-Control: on a cross-origin request it would need a preflight the hub's
      // CORS option does not grant; the server's own Cache-Control keeps caches out.
      if (!request.headers.has('accept')) req.setRequestHeader('Accept', 'text/event-stream')
      // [spec] "If the EventSource object's last event ID string is not the empty string,
      // set (`Last-Event-ID`, lastEventIDValue)".
      if (request.lastEventId !== undefined && request.lastEventId !== '')
        req.setRequestHeader('Last-Event-ID', utf8ByteString(request.lastEventId))
      req.onreadystatechange = onChange
      req.onprogress = onChange
      req.onerror = () => fail(undefined)
      req.ontimeout = () => fail(undefined)
      req.send(options.body ?? null)
    } catch (error) {
      fail(error)
    }
  }

  if (request.signal.aborted) queueMicrotask(abort)
  else {
    request.signal.addEventListener('abort', abort)
    // Report from a task of its own, never from inside open(): the caller holds no
    // connection object yet.
    queueMicrotask(start)
  }
  return { close: abort }
}
