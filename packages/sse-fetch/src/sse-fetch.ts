import {
  createDecoder,
  defineTransport,
  fetchEventStream,
  streamUrl,
  type Transport,
} from '@lifeline/core'
import { resolveOptions, type SseFetchOptions } from './options'
import { requestInit } from './request-init'

/**
 * SSE over `fetch` and `ReadableStream`: for browsers, Node ≥ 20, Deno, Bun and workers.
 * Unlike `EventSource` it lets the client own `Last-Event-ID`, send headers and notice stalls.
 *
 * The transport only reports: `opened()` for a 200 `text/event-stream` response,
 * `activity()` for every chunk after it, the decoded events, and exactly one `closed()`
 * per `open()`: `no-content` (204), `http` (any other status), `protocol` (wrong content
 * type, message over `maxMessageBytes`), `ended`, `network` or `aborted`.
 *
 * @example
 * ```ts
 * import { createClient } from '@lifeline/core'
 * import { sseFetch } from '@lifeline/sse-fetch'
 *
 * const client = createClient({
 *   url: 'https://api.example.com/events',
 *   transports: [sseFetch({ credentials: 'include' })],
 * })
 * ```
 */
export function sseFetch(options?: SseFetchOptions): Transport {
  const resolved = resolveOptions(options)
  return defineTransport('sse-fetch', (request, sink) => {
    const decoder = createDecoder(
      {
        event: sink.event,
        id: sink.id,
        retry: sink.retry,
        protocolError: (message) => sink.closed({ kind: 'protocol', message }),
      },
      { maxMessageBytes: Math.min(request.maxMessageBytes, resolved.maxMessageBytes) },
    )
    const url = streamUrl(resolved.url ?? request.url, request)
    const fetch = resolved.fetch ?? globalThis.fetch
    return fetchEventStream(fetch, url, requestInit(resolved, request), sink, decoder)
  })
}
