/**
 * The WebSocket URL for a connect: the adapter's own `url` (resolved against the client's,
 * so a path such as `/ws` works) or the client's, with `http:` swapped for `ws:` and
 * `https:` for `wss:`, keeping host, path and query.
 */
export function websocketUrl(requestUrl: URL, option: string | URL | undefined): URL {
  const url = new URL(option ?? requestUrl, requestUrl)
  if (url.protocol === 'http:') url.protocol = 'ws:'
  else if (url.protocol === 'https:') url.protocol = 'wss:'
  // [WebSockets] "If urlRecord's fragment is non-null, throw a SyntaxError" in older
  // engines; newer ones ignore it. It never reaches the server either way.
  url.hash = ''
  return url
}
