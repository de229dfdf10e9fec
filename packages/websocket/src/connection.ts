import {
  type ConnectRequest,
  createDecoder,
  exceedsBytes,
  type TransportSink,
} from '@lifeline/core'
import { closeReason, errorReason } from './close-reason'
import {
  CONNECTING,
  isEmitterSocket,
  OPEN,
  resolveWebSocket,
  type WebSocketConstructor,
  type WebSocketLike,
} from './socket'

/** What one connection needs from the adapter's options, already resolved. */
export interface ConnectionSettings {
  url: URL
  protocols: string | string[]
  WebSocket: WebSocketConstructor | undefined
  maxMessageBytes: number
  pingInterval: number | undefined
}

const PING = '{"type":"ping"}'

/**
 * @lifeline/server packs queued events into frames of up to 64 KiB, so a frame may be
 * larger than any one message in it; `maxMessageBytes` still bounds each message (the
 * decoder enforces it), and a frame may hold the larger of the two.
 */
const PACKED_FRAME_BYTES = 64 * 1024

/**
 * Opens one WebSocket connection that speaks the Lifeline protocol and reports to `sink`
 * (guarded by `defineTransport`: closed once, nothing after it). Returns the release.
 */
export function openConnection(
  request: ConnectRequest,
  sink: TransportSink,
  settings: ConnectionSettings,
): () => void {
  // Until the server's first frame, which accepts the hello.
  let accepting = true
  let released = false
  let socket: WebSocketLike | undefined
  let pingTimer: ReturnType<typeof setInterval> | undefined
  const maxFrameBytes = Math.max(settings.maxMessageBytes, PACKED_FRAME_BYTES)
  const { lastEventId, from } = request
  // Only ws and React Native read this; a browser cannot send headers on a WebSocket.
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })

  const decoder = createDecoder(
    {
      event: sink.event,
      id: sink.id,
      retry: sink.retry,
      protocolError: (message) => sink.closed({ kind: 'protocol', message }),
    },
    { maxMessageBytes: settings.maxMessageBytes },
  )

  const onUnexpectedResponse = (_request: unknown, response: { statusCode?: number }) => {
    // ws hands us the refusal of the upgrade (403 from an Origin check, 503 from a closing
    // hub); a browser hides it behind close code 1006.
    sink.closed({ kind: 'http', status: response.statusCode ?? 0 })
  }

  function receive(data: unknown) {
    if (typeof data !== 'string')
      return sink.closed({
        kind: 'protocol',
        message: 'binary frame: the server must send text frames',
      })
    if (exceedsBytes(data, maxFrameBytes))
      return sink.closed({ kind: 'protocol', message: `frame exceeds ${maxFrameBytes} bytes` })
    if (accepting) {
      // The server's first frame, whatever it holds, accepts the hello; it is not activity.
      accepting = false
      sink.opened()
      if (settings.pingInterval !== undefined && !released) startPing(settings.pingInterval)
    } else sink.activity()
    decoder.feed(data)
  }

  function startPing(interval: number): void {
    // Browsers cannot send protocol pings; the server answers this frame with `: pong`,
    // which the watchdog sees as activity.
    pingTimer = setInterval(() => {
      if (socket?.readyState === OPEN) socket.send(PING)
    }, interval)
  }

  function start(WebSocket: WebSocketConstructor) {
    if (released) return
    let ws: WebSocketLike
    try {
      ws = new WebSocket(settings.url.href, settings.protocols, {
        headers,
        maxPayload: maxFrameBytes,
      })
    } catch (error) {
      return sink.closed({ kind: 'network', error })
    }
    socket = ws
    let connected = false
    ws.onopen = () => {
      connected = true
      // The resume point travels in the first frame, never in the URL, because a browser
      // cannot set headers on a WebSocket (protocol: the hello).
      ws.send(hello(lastEventId, from))
    }
    ws.onmessage = (event: { data: unknown }) => receive(event.data)
    ws.onerror = (event: { error?: unknown }) => {
      // [WebSockets] "fail the WebSocket connection" fires error, then close; report at the
      // error, because undici in Node 20 fires no close after a refused handshake.
      sink.closed(errorReason(event.error, maxFrameBytes))
    }
    ws.onclose = (event: { code: number; reason: string }) => {
      sink.closed(connected ? closeReason(event.code, event.reason) : { kind: 'network' })
    }
    if (isEmitterSocket(ws)) ws.on('unexpected-response', onUnexpectedResponse)
  }

  // Resolved after open() returns (the guard holds early reports anyway); `ws` may load.
  const resolved = resolveWebSocket(settings.WebSocket)
  if (typeof resolved === 'function') start(resolved)
  else resolved.then(start, (error: unknown) => sink.closed({ kind: 'network', error }))

  return () => {
    released = true
    if (pingTimer !== undefined) clearInterval(pingTimer)
    const ws = socket
    if (ws === undefined) return
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
}

/**
 * The client's first frame (protocol **contract**): `lastEventId` is absent when fresh, and
 * `from` is `"start"` when a fresh connect asks for the whole retained history.
 */
function hello(lastEventId: string | undefined, from: 'start' | undefined): string {
  // An empty resume point means "from now", the same as none. JSON.stringify takes an id of
  // any length without spreading it anywhere.
  if (lastEventId !== undefined && lastEventId !== '')
    return JSON.stringify({ type: 'hello', lastEventId })
  return from === 'start' ? '{"type":"hello","from":"start"}' : '{"type":"hello"}'
}

function ignore(): void {}
