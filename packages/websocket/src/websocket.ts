import { countOption, defineTransport, ensureOption, type Transport } from '@lifeline/core'
import { openConnection } from './connection'
import type { WebSocketConstructor } from './socket'
import { websocketUrl } from './url'

/**
 * Options of {@link websocket}.
 *
 * @example
 * ```ts
 * websocket({ url: '/ws', protocols: 'lifeline', pingInterval: 20_000 })
 * ```
 */
export interface WebSocketOptions {
  /**
   * The endpoint, resolved against the client's `url`. Default: the client's `url` with
   * `http:` → `ws:` and `https:` → `wss:`, keeping host, path and query.
   */
  url?: string | URL
  /** Subprotocols offered in `Sec-WebSocket-Protocol`. Default: none. */
  protocols?: string | string[]
  /**
   * The `WebSocket` constructor (React Native, tests, a custom client). Default: the global
   * `WebSocket`, else `ws` (an optional peer dependency) loaded on demand in Node.
   */
  WebSocket?: WebSocketConstructor
  /**
   * Sends a `{"type":"ping"}` text frame every `pingInterval` ms once the stream is open;
   * the server answers `: pong`, which keeps the heartbeat watchdog fed where the server's
   * own heartbeats are too sparse. Browsers cannot send protocol pings. Default: off.
   */
  pingInterval?: number
  /** Lowers the client's `maxMessageBytes` for this transport; it cannot raise it. */
  maxMessageBytes?: number
}

const OWNER = 'websocket'
const ensure = (condition: unknown, message: string) => ensureOption(OWNER, condition, message)

/**
 * The Lifeline event stream over a WebSocket: the first frame is the hello carrying the
 * resume point, the server's first frame accepts it, and every later text frame holds
 * `text/event-stream` blocks decoded exactly as over SSE.
 *
 * The request's headers reach the server only where the constructor takes them (`ws` in
 * Node, React Native); a browser cannot set headers on a WebSocket, so authenticate with a
 * cookie or the URL there. In Node with `ws`, a refused upgrade is reported as
 * `{ kind: 'http', status }`; a browser hides the status behind close code 1006, which is
 * `{ kind: 'network' }`.
 *
 * @example
 * ```ts
 * import { createClient } from '@lifeline/core'
 * import { sseFetch } from '@lifeline/sse-fetch'
 * import { websocket } from '@lifeline/websocket'
 *
 * const client = createClient({
 *   url: 'https://api.example.com/events',
 *   transports: [sseFetch(), websocket()],
 * })
 * ```
 */
export function websocket(options: WebSocketOptions = {}): Transport {
  const pingInterval = countOption(OWNER, 'pingInterval', options.pingInterval)
  const maxMessageBytes = countOption(OWNER, 'maxMessageBytes', options.maxMessageBytes) ?? Infinity
  const { protocols } = options
  ensure(
    protocols === undefined || typeof protocols === 'string' || Array.isArray(protocols),
    'protocols must be a string or an array of strings',
  )
  ensure(
    options.WebSocket === undefined || typeof options.WebSocket === 'function',
    'WebSocket must be a constructor',
  )
  return defineTransport('websocket', (request, sink) =>
    openConnection(request, sink, {
      url: websocketUrl(request.url, options.url),
      // [WebSockets] no subprotocol is an empty list. An explicit `undefined` followed by
      // the third argument reaches Chromium as the string "undefined".
      protocols: protocols ?? [],
      WebSocket: options.WebSocket,
      maxMessageBytes: Math.min(request.maxMessageBytes, maxMessageBytes),
      pingInterval,
    }),
  )
}
