import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

// Clients that connect and then stop reading: slow consumers and dead peers for the hub's
// backpressure and ping tests. Raw sockets, so nothing in between reads on their behalf.

/**
 * An HTTP client that sends an SSE request and then never reads a byte.
 *
 * @example
 * ```ts
 * const slow = stalledSse(server.url)
 * slow.destroy()
 * ```
 */
export function stalledSse(url: string): Socket {
  const { hostname, port, pathname } = new URL(url)
  const socket = connect(Number(port), hostname)
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\naccept: text/event-stream\r\n\r\n`,
  )
  socket.pause()
  return socket
}

/**
 * A WebSocket client that upgrades, says hello, and then never reads a byte: it never
 * answers a ping either.
 *
 * @example
 * ```ts
 * const dead = stalledWebSocket(server.wsUrl)
 * ```
 */
export function stalledWebSocket(url: string): Socket {
  const { hostname, port, pathname } = new URL(url)
  const socket = connect(Number(port), hostname)
  const key = randomBytes(16).toString('base64')
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nupgrade: websocket\r\n` +
      `connection: Upgrade\r\nsec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n\r\n`,
  )
  // [spec] RFC 6455 §5.2: one final text frame, masked as a client's must be.
  const payload = Buffer.from('{"type":"hello"}')
  const mask = randomBytes(4)
  const masked = payload.map((byte, i) => byte ^ mask[i % 4]!)
  socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]))
  socket.pause()
  return socket
}
