import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import { parseClientFrame } from './client-frame'
import type { Place } from './connection-limits'
import type { StreamSelector } from './options'
import type { PipeContext } from './pipe-context'
import { comment, farewellBody } from './serialize'
import type { Outlet, Subscriber } from './subscriber'
import { refuseUpgrade } from './upgrade-refusal'

/** Serves the WebSocket pipe of one hub; loaded on the first upgrade only. */
export interface UpgradeHandler {
  /** Serves an upgrade the hub admitted; `place` is released once the socket is gone. */
  handle(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    stream: StreamSelector,
    place: Place,
  ): void
  /** Drops connections still waiting for their hello; accepted ones belong to the hub. */
  close(): void
}

// The first frame accepts the connection (the client counts any first frame as acceptance).
const OK = comment('ok')
const PONG = comment('pong')
// [spec] RFC 6455 §5.6: text frames carry UTF-8; every block the hub writes is UTF-8 text.
const TEXT = { binary: false }
/** Client frames are tiny JSON; anything near this size is not a Lifeline client. */
const MAX_CLIENT_FRAME_BYTES = 4 * 1024

/** Creates the WebSocket side of a hub on a `ws` server that never listens on its own. */
export function createUpgradeHandler(context: PipeContext): UpgradeHandler {
  const { options } = context
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    // Events are serialised once for every subscriber; per-socket compression would undo it.
    perMessageDeflate: false,
  })
  const awaitingHello = new Set<WebSocket>()

  const serve = (ws: WebSocket, stream: string, place: Place) => {
    let subscriber: Subscriber | undefined
    let alive = true
    awaitingHello.add(ws)
    const timer = setTimeout(() => ws.close(1008, 'hello timeout'), options.helloTimeout)

    // Acceptance waits for the first write, which waits for the first log read: a log that
    // fails before it gets close code 1013 (try again later) instead of an accepted stream.
    let accepted = false
    const outlet: Outlet = {
      write(chunk, written) {
        // Text frames only: ws makes a Uint8Array a binary frame unless told otherwise.
        if (!accepted) ws.send(OK, TEXT)
        accepted = true
        ws.send(chunk, TEXT, () => written())
      },
      end() {
        ws.close(context.farewell?.code ?? 1000)
      },
      destroy() {
        if (accepted) ws.terminate()
        else ws.close(1013, 'event log unavailable')
      },
      // Protocol pings find dead peers; the comment heartbeat is for the browser, which
      // never sees protocol pings.
      tick() {
        if (!alive) {
          ws.terminate()
          return
        }
        alive = false
        ws.ping()
      },
    }

    ws.on('pong', () => {
      alive = true
    })
    ws.on('message', (data, isBinary) => {
      const frame = parseClientFrame(data, isBinary)
      if (subscriber !== undefined) {
        if (frame?.type === 'ping') subscriber.send(PONG)
        return
      }
      clearTimeout(timer)
      awaitingHello.delete(ws)
      if (frame?.type !== 'hello') {
        ws.close(1002, 'expected a hello frame')
        return
      }
      const { farewell } = context
      if (farewell !== undefined) {
        ws.send(OK, TEXT)
        ws.send(farewellBody(options.retry, farewell.chunk), TEXT)
        ws.close(farewell.code)
        return
      }
      const start = { resumePoint: frame.lastEventId, fromStart: frame.fromStart }
      subscriber = context.connect(stream, 'websocket', outlet, start, place)
    })
    ws.on('close', () => {
      clearTimeout(timer)
      awaitingHello.delete(ws)
      subscriber?.gone()
    })
    // 'close' follows every error; the error itself needs no more handling.
    ws.on('error', () => {})
  }

  return {
    handle(req, socket, head, selector, place) {
      // The place is held until the socket is gone, whether the handshake fails, the hello
      // never comes or the stream ends: upgrades that never say hello count like streams.
      socket.once('close', () => place.release())
      let stream: string
      try {
        stream = typeof selector === 'function' ? selector(req) : selector
      } catch (error) {
        options.onError(error)
        return refuseUpgrade(socket, 500)
      }
      wss.handleUpgrade(req, socket, head, (ws) => serve(ws, stream, place))
    },
    close() {
      for (const ws of awaitingHello) ws.terminate()
      wss.close()
    },
  }
}
