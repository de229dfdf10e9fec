import type { CloseReason } from './transport'

/**
 * Whether a response starts an event stream, as the SSE spec decides it: `undefined` means
 * accepted; anything else is why the attempt ends before `opened()`. For SSE transports of
 * your own (fetch, XHR, a native module).
 *
 * @example
 * ```ts
 * const refused = sseRefusal(response.status, response.headers.get('content-type'))
 * if (refused) return sink.closed(refused)
 * sink.opened()
 * ```
 */
export function sseRefusal(status: number, contentType: string | null): CloseReason | undefined {
  // XMLHttpRequest reports a network error as status 0.
  if (status === 0) return { kind: 'network' }
  // [spec] "HTTP 204 No Content ... must prevent the user agent from reconnecting": stop.
  if (status === 204) return { kind: 'no-content' }
  // [spec] "if res's status is not 200 ... fail the connection."
  if (status !== 200) return { kind: 'http', status }
  // [spec] "... or if res's Content-Type is not `text/event-stream`, then fail the
  // connection." Parameters such as `charset=utf-8` are allowed: only the essence counts.
  const essence = contentType?.split(';', 1)[0]?.trim().toLowerCase()
  if (essence !== 'text/event-stream')
    return {
      kind: 'protocol',
      message: `expected content-type text/event-stream, got ${contentType || 'none'}`,
    }
  return undefined
}
