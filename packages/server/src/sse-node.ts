import type { IncomingMessage, ServerResponse } from 'node:http'
import { admitSse, retryAfter } from './admission'
import type { PipeContext } from './pipe-context'
import type { Outlet } from './subscriber'

/** Serves one SSE request on Node's `http` objects. */
export function serveNode(
  context: PipeContext,
  req: IncomingMessage,
  res: ServerResponse,
  stream: string,
): void {
  const { options } = context
  const header = req.headers['last-event-id']
  const admission = admitSse(context, {
    method: req.method,
    origin: req.headers.origin,
    // Node joins a repeated header itself; a list here means the same.
    lastEventId: Array.isArray(header) ? header.join(', ') : header,
    target: req.url,
  })
  if (admission.kind === 'answer') {
    res.writeHead(admission.status, admission.headers).end(admission.body)
    return
  }
  const { headers } = admission
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
      else res.writeHead(503, retryAfter(options.retry)).end()
    },
  }
  const subscriber = context.connect(stream, 'sse', outlet, admission.resumePoint)
  res.on('close', () => subscriber.gone())
}
