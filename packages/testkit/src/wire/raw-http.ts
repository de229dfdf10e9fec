import { connect, type Socket } from 'node:net'
import { createNotifier, until } from '../wait'

/** A TCP connection to a test server carrying hand-written HTTP, for what `fetch` cannot send. */
export interface RawHttpConnection {
  readonly socket: Socket
  /** Every byte received so far, as latin1 text. */
  readonly text: string
  /** The status of every response head received so far, in order. */
  readonly statuses: readonly number[]
  /** Whether the server closed the connection. */
  readonly ended: boolean
  /** Resolves once `check(text)` holds; rejects after `timeoutMs` with what arrived. */
  waitFor(check: (text: string) => boolean, timeoutMs?: number): Promise<void>
  /** Resolves once the connection is closed (by either side). */
  waitForClose(timeoutMs?: number): Promise<void>
  /** Destroys the socket. */
  close(): void
}

/**
 * Opens a TCP connection to the host and port of `url` (loopback in every test) and writes
 * `request` as it is: repeated headers, pipelined requests, a forged `Host`, an upgrade to a
 * path nobody serves.
 *
 * @example
 * ```ts
 * const raw = await openRawHttp(server.url, 'GET /events HTTP/1.1\r\nhost: x\r\n\r\n')
 * await raw.waitFor(() => raw.statuses.length > 0)
 * raw.close()
 * ```
 */
export async function openRawHttp(url: string, request: string): Promise<RawHttpConnection> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  let text = ''
  let ended = false
  const changes = createNotifier()
  const notify = changes.notify
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    text += chunk
    notify()
  })
  socket.on('error', () => {})
  socket.on('close', () => {
    ended = true
    notify()
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.write(request, 'latin1')

  const waitFor = async (check: (text: string) => boolean, timeoutMs?: number) => {
    await until(() => check(text), `raw HTTP ${url}: the awaited answer`, {
      wake: changes.wake,
      timeoutMs,
      detail: () => `got ${text}`,
    })
  }

  return {
    socket,
    get text() {
      return text
    },
    get statuses() {
      return [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((match) => Number(match[1]))
    },
    get ended() {
      return ended
    },
    waitFor,
    waitForClose: (timeoutMs) => waitFor(() => ended, timeoutMs),
    close() {
      socket.destroy()
    },
  }
}

/**
 * A minimal GET request head for `url`'s path, with extra header lines.
 *
 * @example
 * ```ts
 * rawGet(server.url, ['last-event-id: a', 'last-event-id: b'])
 * ```
 */
export function rawGet(url: string, headers: readonly string[] = []): string {
  const { host, pathname, search } = new URL(url)
  return `GET ${pathname}${search} HTTP/1.1\r\n${[`host: ${host}`, ...headers].join('\r\n')}\r\n\r\n`
}
