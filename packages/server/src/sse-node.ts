import type { IncomingMessage, ServerResponse } from 'node:http'
import { corsHeaders, preflightHeaders } from './cors'
import type { HubCore } from './hub-core'
import { busyHeaders, farewellBody, resumePointOf, SSE_HEADERS } from './sse-headers'
import type { Outlet } from './subscriber'

/** Serves one SSE request on Node's `http` objects. */
export function serveNode(
  core: HubCore,
  req: IncomingMessage,
  res: ServerResponse,
  stream: string,
): void {
  const { options } = core
  const origin = req.headers.origin
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...preflightHeaders(options.cors, origin), allow: 'GET, OPTIONS' }).end()
    return
  }
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET, OPTIONS' }).end()
    return
  }
  const headers = { ...SSE_HEADERS, ...corsHeaders(options.cors, origin) }
  if (core.farewell !== undefined) {
    // Not a 503: a native EventSource treats that as final and never comes back.
    res.writeHead(200, headers).end(farewellBody(options.retry, core.farewell.chunk))
    return
  }
  if (!core.hasRoom()) {
    res.writeHead(503, busyHeaders(options.retry)).end()
    return
  }
  const header = req.headers['last-event-id']
  if (Array.isArray(header)) {
    res.writeHead(400).end()
    return
  }
  const url = new URL(req.url ?? '/', 'http://localhost')
  // Small writes go out at once; Nagle would hold a lone event back for an ACK.
  req.socket.setNoDelay(true)
  // The status is committed with the first write, after the first log read: a log that
  // fails before it gets a 503, which the client counts as a failure and backs off from.
  const outlet: Outlet = {
    write: (chunk, written) => {
      if (!res.headersSent) res.writeHead(200, headers)
      res.write(chunk, () => written())
    },
    end: () => res.end(),
    destroy: () => {
      if (res.headersSent) res.destroy()
      else res.writeHead(503, busyHeaders(options.retry)).end()
    },
  }
  const subscriber = core.connect(stream, 'sse', outlet, resumePointOf(header, url))
  res.on('close', () => subscriber.gone())
}
