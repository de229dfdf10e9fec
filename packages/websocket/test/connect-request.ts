import type { ConnectRequest } from '@lifeline/core'

/** A ConnectRequest as the client would build it, with its AbortController. */
export function connectRequest(
  url: URL,
  overrides: Partial<Omit<ConnectRequest, 'url' | 'signal'>> = {},
): ConnectRequest & { controller: AbortController } {
  const controller = new AbortController()
  return {
    url,
    headers: new Headers(),
    lastEventId: undefined,
    maxMessageBytes: 1_048_576,
    ...overrides,
    signal: controller.signal,
    controller,
  }
}
