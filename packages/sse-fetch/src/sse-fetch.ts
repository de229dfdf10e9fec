import {
  type CloseReason,
  type ConnectRequest,
  createDecoder,
  type Transport,
  type TransportConnection,
  type TransportSink,
} from '@lifeline/core'
import { refusal } from './acceptance'
import { resolveOptions, type SseFetchOptions } from './options'
import { requestInit } from './request-init'

/** Where one attempt stands; `closed` is final and silences the sink. */
type AttemptState = 'connecting' | 'open' | 'closed'

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
  return {
    name: 'sse-fetch',
    open(request: ConnectRequest, sink: TransportSink): TransportConnection {
      // The attempt's own controller: aborting it cancels the request and its body, whether
      // the client aborted `request.signal` or called `close()`.
      const controller = new AbortController()
      let state: AttemptState = 'connecting'
      let body: ReadableStream<Uint8Array> | undefined
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined

      const finish = (reason: CloseReason) => {
        if (state === 'closed') return
        state = 'closed'
        request.signal.removeEventListener('abort', onAbort)
        // Both, because a custom fetch may ignore the signal: cancelling the body releases
        // the reader and the connection either way.
        controller.abort()
        // A locked body cannot be cancelled itself; its reader can.
        ;(reader ?? body)?.cancel().catch(() => {})
        sink.closed(reason)
      }
      const onAbort = () => finish({ kind: 'aborted' })

      const decoder = createDecoder(
        {
          event: (e) => {
            if (state === 'open') sink.event(e)
          },
          id: (lastEventId) => {
            if (state === 'open') sink.id(lastEventId)
          },
          retry: (ms) => {
            if (state === 'open') sink.retry(ms)
          },
          protocolError: (message) => finish({ kind: 'protocol', message }),
        },
        { maxMessageBytes: Math.min(request.maxMessageBytes, resolved.maxMessageBytes) },
      )

      const stream = async (source: ReadableStreamDefaultReader<Uint8Array>) => {
        for (;;) {
          const { done, value } = await source.read()
          if (state !== 'open') return
          if (done) return finish({ kind: 'ended' })
          if (value.byteLength === 0) continue
          sink.activity()
          // The decoder takes the chunk as it is: no copy, no per-byte work here.
          if (state === 'open') decoder.feed(value)
        }
      }

      const run = async () => {
        const init = requestInit(resolved, request, controller.signal)
        const fetch = resolved.fetch ?? globalThis.fetch
        const response = await fetch(resolved.url ?? request.url, init)
        if (state !== 'connecting') {
          response.body?.cancel().catch(() => {})
          return
        }
        body = response.body ?? undefined
        const refused = refusal(response)
        if (refused !== undefined) return finish(refused)
        state = 'open'
        sink.opened()
        if (body === undefined) return finish({ kind: 'ended' })
        if (state !== 'open') return
        reader = body.getReader()
        await stream(reader)
      }

      if (request.signal.aborted) {
        // Report on a later tick: the caller has not received the connection yet.
        queueMicrotask(onAbort)
      } else {
        request.signal.addEventListener('abort', onAbort, { once: true })
        run().catch((error: unknown) => finish({ kind: 'network', error }))
      }
      return { close: onAbort }
    },
  }
}
