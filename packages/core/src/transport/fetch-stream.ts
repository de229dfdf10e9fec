import type { Decoder } from './decoder'
import { sseRefusal } from './sse-response'
import type { CloseReason, TransportSink } from './transport'

/**
 * One `fetch` of an event stream, for a transport: the response checked (`sseRefusal`),
 * `opened` reported, every chunk of the body fed to `decoder` as it comes (no copy), and the
 * end reported — `ended()` for a complete body, `network` for a failed fetch or read.
 * Returns the release, which aborts the request and cancels the body: both, because a
 * custom `fetch` may ignore the signal, and cancelling the body releases the connection
 * either way.
 *
 * @example
 * ```ts
 * defineTransport('my-sse', (request, sink) =>
 *   fetchEventStream(fetch, request.url, { headers: request.headers }, sink, decoder),
 * )
 * ```
 */
export function fetchEventStream(
  fetch: typeof globalThis.fetch,
  url: URL | string,
  init: Omit<RequestInit, 'signal'>,
  sink: TransportSink,
  decoder: Decoder,
  ended: () => CloseReason = () => ({ kind: 'ended' }),
): () => void {
  // The attempt's own controller: releasing the connection cancels the request and its
  // body, whether the client aborted `request.signal` or called `close()`.
  const controller = new AbortController()
  let body: ReadableStream<Uint8Array> | undefined
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  const run = async () => {
    const response = await fetch(url, { ...init, signal: controller.signal })
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
      if (done) return sink.closed(ended())
      if (value.byteLength === 0) continue
      sink.activity()
      decoder.feed(value)
    }
  }
  run().catch((error: unknown) => sink.closed({ kind: 'network', error }))
  return () => {
    controller.abort()
    // A locked body cannot be cancelled itself: its reader can.
    ;(reader ?? body)?.cancel().catch(() => {})
  }
}
