import { admitSse } from './admission'
import { clientAddress } from './client-address'
import type { PipeContext } from './pipe-context'
import type { Outlet } from './subscriber'

/** Bytes the response stream may hold before the hub treats the client as not reading. */
const HIGH_WATER_BYTES = 64 * 1024

/**
 * Serves one SSE request, or one long-poll, as a Web `Response` whose body is a byte
 * stream. The stream's queue is the backpressure: a write counts as done while the queue
 * has room, and waits for the runtime to pull otherwise.
 */
export function serveFetch(
  context: PipeContext,
  request: Request,
  stream: string,
  address: string | undefined,
): Response {
  const { headers: requestHeaders } = request
  const admission = admitSse(context, {
    method: request.method,
    host: requestHeaders.get('host') ?? new URL(request.url).host,
    origin: requestHeaders.get('origin'),
    lastEventId: requestHeaders.get('last-event-id'),
    target: request.url,
    // A Request carries no peer address: the runtime gives it beside the request.
    address:
      address ??
      clientAddress(undefined, requestHeaders.get('x-forwarded-for'), context.options.trustProxy),
  })
  if (admission.kind === 'answer')
    return new Response(admission.body ?? null, {
      status: admission.status,
      headers: admission.headers,
    })
  const { headers, start, place, hold } = admission
  const pipe = hold === undefined ? 'sse' : 'long-poll'
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
        const subscriber = context.connect(stream, pipe, outlet, start, place, hold)
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
