import {
  createDecoder,
  defineTransport,
  LifelineError,
  lastEventIdHeader,
  sseRefusal,
  streamUrl,
  type Transport,
} from '@lifeline/core'
import { resolveOptions, type SseXhrOptions, type XMLHttpRequestLike } from './options'

const HEADERS_RECEIVED = 2
const DONE = 4

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
  return defineTransport('sse-xhr', (request, sink) => {
    let xhr: XMLHttpRequestLike | undefined
    let released = false
    let opened = false
    // How much of responseText has been decoded: each progress event feeds only the rest.
    let offset = 0
    // Whether the chunk being decoded completed an event block: the only place to recycle.
    let boundary = false

    const decoder = createDecoder(
      {
        event(e) {
          boundary = true
          sink.event(e)
        },
        id(lastEventId) {
          boundary = true
          sink.id(lastEventId)
        },
        retry: sink.retry,
        protocolError: (message) => sink.closed({ kind: 'protocol', message }),
      },
      { maxMessageBytes: Math.min(request.maxMessageBytes, resolved.maxMessageBytes) },
    )

    const pump = (req: XMLHttpRequestLike) => {
      const text = req.responseText
      if (text.length <= offset) return
      // [spec] responseText is UTF-8 decoded, which drops the stream's one BOM; the decoder
      // drops one too, so a BOM in front stands for the dropped one and a second stays text.
      const chunk = offset === 0 ? `\uFEFF${text}` : text.slice(offset)
      offset = text.length
      sink.activity()
      boundary = false
      decoder.feed(chunk)
      // Recycle only right after a complete block: everything up to it has been delivered
      // and the rest is a partial block the server replays from the resume point. Waiting
      // for a boundary lets one event be larger than maxResponseBytes without a loop.
      if (boundary && offset >= resolved.maxResponseBytes)
        sink.closed({ kind: 'ended', recycled: true })
    }

    const onChange = () => {
      const req = xhr
      if (req === undefined || released) return
      if (!opened) {
        if (req.readyState < HEADERS_RECEIVED) return
        const refused = sseRefusal(req.status, req.getResponseHeader('content-type'))
        if (refused !== undefined) return sink.closed(refused)
        opened = true
        sink.opened()
      }
      pump(req)
      if (released || req.readyState !== DONE) return
      // A network error also reaches DONE, with status 0 and an empty response.
      sink.closed(req.status === 0 ? { kind: 'network' } : { kind: 'ended' })
    }

    const fail = (error: unknown) => sink.closed({ kind: 'network', error })

    const start = () => {
      if (released) return
      const Xhr = resolved.XMLHttpRequest ?? globalThis.XMLHttpRequest
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
        req.open(resolved.method, streamUrl(resolved.url ?? request.url, request).href, true)
        req.withCredentials = resolved.withCredentials
        // [spec] the stream is always UTF-8, whatever charset the server claims.
        req.overrideMimeType?.('text/plain; charset=utf-8')
        request.headers.forEach((value, name) => {
          // The client owns the resume point: a stray header must not resume behind its back.
          if (name !== 'last-event-id') req.setRequestHeader(name, value)
        })
        // No Cache-Control: on a cross-origin request it would need a preflight the hub's
        // CORS option does not grant; the server's own Cache-Control keeps caches out.
        if (!request.headers.has('accept')) req.setRequestHeader('Accept', 'text/event-stream')
        const lastEventId = lastEventIdHeader(request.lastEventId)
        if (lastEventId !== undefined) req.setRequestHeader('Last-Event-ID', lastEventId)
        req.onreadystatechange = onChange
        req.onprogress = onChange
        req.onerror = () => fail(undefined)
        req.ontimeout = () => fail(undefined)
        req.send(resolved.body ?? null)
      } catch (error) {
        fail(error)
      }
    }

    // A task of its own: a connection closed right after open() never creates a request.
    queueMicrotask(start)
    return () => {
      released = true
      const req = xhr
      xhr = undefined
      if (req === undefined) return
      req.onreadystatechange = null
      req.onprogress = null
      req.onerror = null
      req.ontimeout = null
      if (req.readyState !== DONE) req.abort()
    }
  })
}
