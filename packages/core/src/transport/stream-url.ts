import type { ConnectRequest } from './transport'

/**
 * The URL of one HTTP stream request: `url` as it is, or a copy with `from=start` when the
 * request asks for the whole retained history (the wire form of the client's `from`
 * option; a resume point, sent as `Last-Event-ID`, wins over it on the server).
 *
 * @example
 * ```ts
 * fetch(streamUrl(request.url, request), init)
 * ```
 */
export function streamUrl(url: URL, request: Pick<ConnectRequest, 'from'>): URL {
  if (request.from !== 'start') return url
  const copy = new URL(url)
  copy.searchParams.set('from', 'start')
  return copy
}
