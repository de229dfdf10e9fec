import type { Duplex } from 'node:stream'

const STATUS_TEXT = {
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const

/** A status the hub answers an upgrade with instead of switching protocols. */
export type RefusalStatus = keyof typeof STATUS_TEXT

/** Answers an upgrade with a plain HTTP status, then closes the connection. */
export function refuseUpgrade(
  socket: Duplex,
  status: RefusalStatus,
  headers: Record<string, string> = {},
): void {
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}`,
    'connection: close',
    'content-length: 0',
  ]
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  socket.once('finish', () => socket.destroy())
  socket.end(`${lines.join('\r\n')}\r\n\r\n`)
}
