import {
  type CloseReason,
  type ConnectRequest,
  createDecoder,
  exceedsBytes,
  type TransportConnection,
  type TransportSink,
} from '@lifeline/core'
import { closeReason, errorReason } from './close-reason'
import {
  CONNECTING,
  isEmitterSocket,
  OPEN,
  resolveWebSocket,
  type WebSocketConstructor,
  type WebSocketInit,
  type WebSocketLike,
} from './socket'

/** What one connection needs from the adapter's options, already resolved. */
export interface ConnectionSettings {
  url: URL
  protocols: string | string[] | undefined
  WebSocket: WebSocketConstructor | undefined
  maxMessageBytes: number
  pingInterval: number | undefined
}

/**
 * Where a connection is: creating the socket, waiting for the server to accept the hello,
 * streaming, or finished (after which the sink hears nothing more).
 */
type Phase = 'connecting' | 'accepting' | 'streaming' | 'closed'

const PING = '{"type":"ping"}'

/**
 * @lifeline/server packs queued events into frames of up to 64 KiB, so a frame may be
 * larger than any one message in it; `maxMessageBytes` still bounds each message (the
 * decoder enforces it), and a frame may hold the larger of the two.
 */
const PACKED_FRAME_BYTES = 64 * 1024

/** Opens one WebSocket connection that speaks the Lifeline protocol and reports to `sink`. */
export function openConnection(
  request: ConnectRequest,
  sink: TransportSink,
  settings: ConnectionSettings,
): TransportConnection {
  let phase: Phase = 'connecting'
  let socket: WebSocketLike | undefined
  let pingTimer: ReturnType<typeof setInterval> | undefined
  const maxFrameBytes = Math.max(settings.maxMessageBytes, PACKED_FRAME_BYTES)
  // A function, so a check after a sink call is not narrowed away by the compiler.
  const streaming = () => phase === 'streaming'

  const decoder = createDecoder(
    {
      // A control event can make the client close us in the middle of a frame: nothing
      // after closed() may reach the sink.
      event: (e) => streaming() && sink.event(e),
      id: (id) => streaming() && sink.id(id),
      retry: (ms) => streaming() && sink.retry(ms),
      protocolError: (message) => finish({ kind: 'protocol', message }),
    },
    { maxMessageBytes: settings.maxMessageBytes },
  )

  const onAbort = () => finish({ kind: 'aborted' })

  const onUnexpectedResponse = (_request: unknown, response: { statusCode?: number }) => {
    // ws hands us the refusal of the upgrade (403 from an Origin check, 503 from a closing
    // hub); a browser hides it behind close code 1006.
    finish({ kind: 'http', status: response.statusCode ?? 0 })
  }

  function finish(reason: CloseReason): void {
    if (phase === 'closed') return
    phase = 'closed'
    request.signal.removeEventListener('abort', onAbort)
    if (pingTimer !== undefined) clearInterval(pingTimer)
    if (socket !== undefined) release(socket)
    sink.closed(reason)
  }

  function release(ws: WebSocketLike): void {
    ws.onopen = null
    ws.onmessage = null
    ws.onclose = null
    // ws emits 'error' after close() during the handshake, and an EventEmitter throws an
    // 'error' nobody listens to: keep a no-op handler on the socket we are dropping.
    ws.onerror = ignore
    if (isEmitterSocket(ws)) ws.off('unexpected-response', onUnexpectedResponse)
    // [WebSockets] close(code) throws unless code is 1000 or 3000–4999, so every close we
    // start is a 1000, whatever the reason.
    if (ws.readyState === CONNECTING || ws.readyState === OPEN) ws.close(1000)
  }

  function start(WebSocket: WebSocketConstructor): void {
    if (phase === 'closed') return
    let ws: WebSocketLike
    try {
      ws = new WebSocket(settings.url.href, settings.protocols, init())
    } catch (error) {
      finish({ kind: 'network', error })
      return
    }
    socket = ws
    ws.onopen = () => {
      phase = 'accepting'
      // The resume point travels in the first frame, never in the URL, because a browser
      // cannot set headers on a WebSocket (protocol: the hello).
      ws.send(hello(request.lastEventId))
    }
    ws.onmessage = (event: { data: unknown }) => receive(event.data)
    ws.onerror = (event: { error?: unknown }) => {
      // [WebSockets] "fail the WebSocket connection" fires error, then close; report at the
      // error, because undici in Node 20 fires no close after a refused handshake.
      finish(errorReason(event.error, maxFrameBytes))
    }
    ws.onclose = (event: { code: number; reason: string }) => {
      finish(phase === 'connecting' ? { kind: 'network' } : closeReason(event.code, event.reason))
    }
    if (isEmitterSocket(ws)) ws.on('unexpected-response', onUnexpectedResponse)
  }

  function init(): WebSocketInit {
    // Only ws and React Native read this; a browser cannot send headers on a WebSocket.
    const headers: Record<string, string> = {}
    request.headers.forEach((value, name) => {
      headers[name] = value
    })
    return { headers, maxPayload: maxFrameBytes }
  }

  function receive(data: unknown): void {
    if (phase === 'closed') return
    if (typeof data !== 'string') {
      finish({ kind: 'protocol', message: 'binary frame: the server must send text frames' })
      return
    }
    if (exceedsBytes(data, maxFrameBytes)) {
      finish({ kind: 'protocol', message: `frame exceeds ${maxFrameBytes} bytes` })
      return
    }
    if (phase === 'accepting') {
      // The server's first frame, whatever it holds, accepts the hello; it is not activity.
      phase = 'streaming'
      sink.opened()
      if (settings.pingInterval !== undefined && streaming()) startPing(settings.pingInterval)
    } else sink.activity()
    // The sink may have closed us from inside opened() or activity().
    if (streaming()) decoder.feed(data)
  }

  function startPing(interval: number): void {
    // Browsers cannot send protocol pings; the server answers this frame with `: pong`,
    // which the watchdog sees as activity.
    pingTimer = setInterval(() => {
      if (socket?.readyState === OPEN) socket.send(PING)
    }, interval)
  }

  request.signal.addEventListener('abort', onAbort)
  // Start after open() returns, so the sink never hears from us before it has the connection.
  queueMicrotask(() => {
    if (phase === 'closed') return
    if (request.signal.aborted) {
      finish({ kind: 'aborted' })
      return
    }
    const resolved = resolveWebSocket(settings.WebSocket)
    if (typeof resolved === 'function') start(resolved)
    else
      resolved.then(start, (error: unknown) => {
        finish({ kind: 'network', error })
      })
  })

  return { close: onAbort }
}

/** The client's first frame (protocol **contract**): `lastEventId` is absent when fresh. */
function hello(lastEventId: string | undefined): string {
  // An empty resume point means "from now", the same as none.
  return JSON.stringify(
    lastEventId === undefined || lastEventId === ''
      ? { type: 'hello' }
      : { type: 'hello', lastEventId },
  )
}

function ignore(): void {}
