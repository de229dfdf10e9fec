import {
  type CloseReason,
  type ConnectRequest,
  createDecoder,
  defineTransport,
  fetchEventStream,
  streamUrl,
  type Transport,
} from '@lifeline/core'
import { type LongPollOptions, type ResolvedLongPollOptions, resolveOptions } from './options'

/**
 * The URL of one poll: the stream's URL with `transport=long-poll`, the hold, and the
 * resume point as the query `lastEventId` (DESIGN: long-poll wire). A query rather than a
 * header keeps the request simple (no CORS preflight), and a new resume point makes every
 * poll's URL new, so no cache can answer it.
 */
export function pollUrl(options: ResolvedLongPollOptions, request: ConnectRequest): URL {
  const url = new URL(streamUrl(options.url ?? request.url, request))
  const { searchParams } = url
  searchParams.set('transport', 'long-poll')
  // [design] at most half of the smaller watchdog limit: a proxy that buffers the whole
  // response delivers it well before the client would call a healthy poll silent.
  const { connect, firstByte } = request.timeouts
  searchParams.set(
    'hold',
    String(Math.max(1, Math.min(options.hold, Math.floor(Math.min(connect, firstByte) / 2)))),
  )
  searchParams.delete('lastEventId')
  if (request.lastEventId !== undefined && request.lastEventId !== '')
    searchParams.set('lastEventId', request.lastEventId)
  return url
}

/** The headers of one poll: the adapter's, then the client's; none that needs a preflight. */
function pollHeaders(options: ResolvedLongPollOptions, request: ConnectRequest): Headers {
  const headers = new Headers(options.headers)
  request.headers.forEach((value, name) => {
    headers.set(name, value)
  })
  // [spec] an event stream is asked for with Accept, a CORS-safelisted header.
  headers.set('accept', 'text/event-stream')
  // The resume point travels in the query; a stray header must not resume behind its back.
  headers.delete('last-event-id')
  return headers
}

/**
 * Long polling: each poll asks the server for what comes after the resume point as one
 * complete `text/event-stream` response — at once when there is something to send, else
 * after at most `hold` ms with just the position block — so a proxy that buffers whole
 * responses, or blocks WebSocket, still passes every event. The client polls again at once
 * with the new resume point: each completed poll is reported as a planned recycle
 * (`{ kind: 'ended', recycled: true }`), never a failure. `@lifeline/server` serves it on
 * the same path as SSE. Use it last: `[sseFetch(), websocket(), longPoll()]`.
 *
 * @example
 * ```ts
 * import { createClient } from '@lifeline/core'
 * import { longPoll } from '@lifeline/long-poll'
 * import { sseFetch } from '@lifeline/sse-fetch'
 * import { websocket } from '@lifeline/websocket'
 *
 * const client = createClient({
 *   url: 'https://api.example.com/events',
 *   transports: [sseFetch(), websocket(), longPoll()],
 * })
 * ```
 */
export function longPoll(options?: LongPollOptions): Transport {
  const resolved = resolveOptions(options)
  return defineTransport('long-poll', (request, sink) => {
    // Only a poll that delivered is a planned recycle: a server that answers every poll
    // with nothing at once must meet the client's hot-loop rule, not an endless loop.
    let delivered = false
    const decoder = createDecoder(
      {
        event(e) {
          delivered = true
          sink.event(e)
        },
        id(lastEventId) {
          delivered = true
          sink.id(lastEventId)
        },
        retry: sink.retry,
        protocolError: (message) => sink.closed({ kind: 'protocol', message }),
      },
      { maxMessageBytes: Math.min(request.maxMessageBytes, resolved.maxMessageBytes) },
    )
    const init: RequestInit = {
      headers: pollHeaders(resolved, request),
      // [spec] EventSource's cache mode: never answer a poll from a cache.
      cache: 'no-store',
    }
    if (resolved.credentials !== undefined) init.credentials = resolved.credentials
    const fetch = resolved.fetch ?? globalThis.fetch
    // A complete response is a poll done: the client polls again at once.
    const ended = (): CloseReason =>
      delivered ? { kind: 'ended', recycled: true } : { kind: 'ended' }
    return fetchEventStream(fetch, pollUrl(resolved, request), init, sink, decoder, ended)
  })
}
