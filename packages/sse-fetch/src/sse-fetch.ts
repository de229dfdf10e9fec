import {
  createDecoder,
  defineTransport,
  sseRefusal,
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
    // The attempt's own controller: releasing the connection cancels the request and its
    // body, whether the client aborted `request.signal` or called `close()`.
    const controller = new AbortController()
    let body: ReadableStream<Uint8Array> | undefined
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
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
    const init = requestInit(resolved, request, controller.signal)

    const run = async () => {
      const response = await (resolved.fetch ?? globalThis.fetch)(url, init)
      body = response.body ?? undefined
      // Released while the response was on its way: its body goes too.
      if (controller.signal.aborted) return void body?.cancel().catch(() => {})
      const refused = sseRefusal(response.status, response.headers.get('content-type'))
      if (refused !== undefined) return sink.closed(refused)
      sink.opened()
      if (body === undefined) return sink.closed({ kind: 'ended' })
      reader = body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (controller.signal.aborted) return
        if (done) return sink.closed({ kind: 'ended' })
        if (value.byteLength === 0) continue
        sink.activity()
        // The decoder takes the chunk as it is: no copy, no per-byte work here.
        decoder.feed(value)
      }
    }
    run().catch((error: unknown) => sink.closed({ kind: 'network', error }))
    return () => {
      // Both, because a custom fetch may ignore the signal: cancelling the body releases
      // the reader and the connection either way. A locked body cannot be cancelled itself.
      controller.abort()
      ;(reader ?? body)?.cancel().catch(() => {})
    }
  })
}
