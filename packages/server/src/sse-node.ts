import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { addressOfNode, admitSse, retryAfter } from './admission'
import type { PipeContext } from './pipe-context'
import type { Outlet } from './subscriber'

/**
 * Connections carrying an event stream (or a poll) now, of any hub. A request pipelined
 * behind a stream can never be answered before it ends, and Node stops reading a connection
 * once the answers queued on it pile up, so it would not even see the client leave.
 */
const streaming = new WeakSet<Socket>()

/** Serves one SSE request, or one long-poll, on Node's `http` objects. */
export function serveNode(
  context: PipeContext,
  req: IncomingMessage,
  res: ServerResponse,
  stream: string,
  address: string | undefined,
): void {
  const { options } = context
  const { socket } = req
  // Browsers and EventSource never pipeline, nor does the long-poll client (it polls once
  // the previous answer is in); a client that stacks requests behind a stream is broken or
  // hostile, and keeps nothing.
  if (streaming.has(socket)) {
    socket.destroy()
    return
  }
  const header = req.headers['last-event-id']
  const admission = admitSse(context, {
    method: req.method,
    host: req.headers.host,
    origin: req.headers.origin,
    // Node joins a repeated header itself; a list here means the same.
    lastEventId: Array.isArray(header) ? header.join(', ') : header,
    target: req.url,
    address: address ?? addressOfNode(req, options),
  })
  if (admission.kind === 'answer') {
    res.writeHead(admission.status, admission.headers).end(admission.body)
    return
  }
  const { headers, hold } = admission
  streaming.add(socket)
  // Small writes go out at once; Nagle would hold a lone event back for an ACK.
  socket.setNoDelay(true)
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
  const pipe = hold === undefined ? 'sse' : 'long-poll'
  const subscriber = context.connect(stream, pipe, outlet, admission.start, admission.place, hold)
  const ended = () => {
    streaming.delete(socket)
    subscriber.gone()
  }
  // After a graceful end (a poll answered, close(), connection age) the connection may carry
  // a next request.
  res.once('finish', () => streaming.delete(socket))
  res.once('close', ended)
  // A response queued behind another one on the connection never closes when the connection
  // goes first; its request does. A request also closes once its body is read, with the
  // connection still there: only an aborted request (the connection went) ends the stream.
  req.once('close', () => {
    if (req.errored !== null || socket.destroyed) ended()
  })
}
