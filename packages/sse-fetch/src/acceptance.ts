import type { CloseReason } from '@lifeline/core'

/** The MIME type essence of a `Content-Type` value: no parameters, lower case. */
function mimeEssence(contentType: string): string {
  const semicolon = contentType.indexOf(';')
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
}

/**
 * Decides whether a response starts an event stream. `undefined` means accepted; anything
 * else is why the attempt ends before `opened()`.
 */
export function refusal(response: Pick<Response, 'status' | 'headers'>): CloseReason | undefined {
  // [spec] "HTTP 204 No Content ... must prevent the user agent from reconnecting": stop.
  if (response.status === 204) return { kind: 'no-content' }
  // [spec] "if res's status is not 200 ... fail the connection."
  if (response.status !== 200) return { kind: 'http', status: response.status }
  // [spec] "... or if res's Content-Type is not `text/event-stream`, then fail the connection."
  // Parameters such as `charset=utf-8` are allowed: only the essence is compared.
  const contentType = response.headers.get('content-type')
  if (contentType === null || mimeEssence(contentType) !== 'text/event-stream')
    return {
      kind: 'protocol',
      message: `expected content-type text/event-stream, got ${contentType ?? 'none'}`,
    }
  return undefined
}
