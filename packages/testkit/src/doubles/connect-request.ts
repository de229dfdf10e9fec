import type { ConnectRequest } from '@lifeline/core'

/** A {@link ConnectRequest} with the controller of its signal, to abort it from the test. */
export interface TestConnectRequest extends ConnectRequest {
  readonly controller: AbortController
}

/** What a test may set; the signal always comes from the request's own controller. */
export type ConnectRequestOverrides = Partial<Omit<ConnectRequest, 'url' | 'signal'>>

/**
 * A ConnectRequest as the client builds it with its defaults (no headers, no resume point,
 * 1 MiB messages, 10 s connect and first-byte timeouts), with `overrides` applied and its
 * AbortController exposed. Browser-safe.
 *
 * @example
 * ```ts
 * const request = connectRequest(server.url('/events'), { lastEventId: '42' })
 * const connection = sseFetch().open(request, recording.sink)
 * request.controller.abort()
 * ```
 */
export function connectRequest(
  url: string | URL,
  overrides: ConnectRequestOverrides = {},
): TestConnectRequest {
  const controller = new AbortController()
  return {
    url: new URL(url),
    headers: new Headers(),
    lastEventId: undefined,
    maxMessageBytes: 1_048_576,
    timeouts: { connect: 10_000, firstByte: 10_000 },
    ...overrides,
    signal: controller.signal,
    controller,
  }
}
