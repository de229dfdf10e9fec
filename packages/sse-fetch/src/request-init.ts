import { type ConnectRequest, lastEventIdHeader } from '@lifeline/core'
import type { ResolvedSseFetchOptions } from './options'

/**
 * The headers of one attempt: the adapter's extra headers, then the client's (auth, resolved
 * per connect) over them, then the protocol's own, which nobody overrides.
 */
export function requestHeaders(options: ResolvedSseFetchOptions, request: ConnectRequest): Headers {
  const headers = new Headers(options.headers)
  request.headers.forEach((value, name) => {
    headers.set(name, value)
  })
  // [spec] "Set (`Accept`, `text/event-stream`) in request's header list."
  headers.set('accept', 'text/event-stream')
  // [spec] EventSource uses cache mode "no-store"; the header keeps proxies from caching too.
  headers.set('cache-control', 'no-cache')
  // The client owns the resume point: a stray header must not resume behind its back.
  headers.delete('last-event-id')
  const lastEventId = lastEventIdHeader(request.lastEventId)
  if (lastEventId !== undefined) headers.set('last-event-id', lastEventId)
  return headers
}

/** The `fetch` init of one attempt (its signal is the attempt's own, added by the kit). */
export function requestInit(
  options: ResolvedSseFetchOptions,
  request: ConnectRequest,
): RequestInit {
  const init: RequestInit = {
    method: options.method,
    headers: requestHeaders(options, request),
    // [spec] "request's ... cache mode to `no-store`": never answer from a cache.
    cache: 'no-store',
  }
  if (options.body !== undefined) init.body = options.body
  if (options.credentials !== undefined) init.credentials = options.credentials
  return init
}
