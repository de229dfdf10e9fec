import { corsHeaders, preflightHeaders } from './cors'
import type { HubCore } from './hub-core'
import { busyHeaders, farewellBody, resumePointOf, SSE_HEADERS } from './sse-headers'
import type { Outlet } from './subscriber'

/** Bytes the response stream may hold before the hub treats the client as not reading. */
const HIGH_WATER_BYTES = 64 * 1024

/**
 * Serves one SSE request as a Web `Response` whose body is a byte stream. The stream's
 * queue is the backpressure: a write counts as done while the queue has room, and waits
 * for the runtime to pull otherwise.
 */
export function serveFetch(core: HubCore, request: Request, stream: string): Response {
  const { options } = core
  const origin = request.headers.get('origin')
  if (request.method === 'OPTIONS')
    return new Response(null, {
      status: 204,
      headers: { ...preflightHeaders(options.cors, origin), allow: 'GET, OPTIONS' },
    })
  if (request.method !== 'GET')
    return new Response(null, { status: 405, headers: { allow: 'GET, OPTIONS' } })
  const headers = { ...SSE_HEADERS, ...corsHeaders(options.cors, origin) }
  if (core.farewell !== undefined)
    // Not a 503: a native EventSource treats that as final and never comes back.
    return new Response(farewellBody(options.retry, core.farewell.chunk), { status: 200, headers })
  if (!core.hasRoom())
    return new Response(null, { status: 503, headers: busyHeaders(options.retry) })

  const resumePoint = resumePointOf(request.headers.get('last-event-id'), new URL(request.url))
  let waiting: (() => void) | undefined
  let gone: (() => void) | undefined
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let open = true
        const outlet: Outlet = {
          write(chunk, written) {
            if (!open) return
            controller.enqueue(chunk)
            if ((controller.desiredSize ?? 0) > 0) queueMicrotask(written)
            else waiting = written
          },
          end() {
            if (!open) return
            open = false
            controller.close()
            gone?.()
          },
          destroy() {
            if (!open) return
            open = false
            controller.error(new Error('lifeline: connection cut by the server'))
            gone?.()
          },
        }
        const subscriber = core.connect(stream, 'sse', outlet, resumePoint)
        gone = () => {
          open = false
          subscriber.gone()
        }
        request.signal.addEventListener('abort', () => gone?.(), { once: true })
      },
      pull() {
        const written = waiting
        waiting = undefined
        written?.()
      },
      cancel() {
        gone?.()
      },
    },
    { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  )
  return new Response(body, { status: 200, headers })
}
