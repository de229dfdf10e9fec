import WebSocket from 'ws'
import { createNotifier, until } from '../wait'
import { createRawItems, type RawItems } from './raw-items'

/** Options of {@link openRawWs}. */
export interface RawWsOptions {
  /**
   * The hello frame sent on open. Default `{ type: 'hello' }` plus `lastEventId` when given;
   * `false` sends none (hello-timeout tests); a string is sent verbatim.
   */
  hello?: Record<string, unknown> | string | false
  /** Put into the default hello. */
  lastEventId?: string | undefined
  /** Sent as the `Origin` header of the upgrade. */
  origin?: string
  headers?: Record<string, string>
}

/** How the WebSocket closed. */
export interface RawWsClose {
  code: number
  reason: string
}

/** A raw `ws` connection: every text frame fed to `eventsource-parser`. */
export interface RawWsReader extends RawItems {
  /** Every text frame received, in order. */
  readonly frames: readonly string[]
  /** Protocol pings received (ws answers each with a pong on its own). */
  readonly pings: number
  /** Resolves once `count` protocol pings arrived in all: the server still keeps the peer. */
  waitForPings(count: number, timeoutMs?: number): Promise<void>
  readonly socket: WebSocket
  /** Sends a JSON value (or a string verbatim) as one text frame. */
  send(frame: Record<string, unknown> | string): void
  /** Resolves when the socket has closed, with the code and reason. */
  waitForClose(timeoutMs?: number): Promise<RawWsClose>
  close(): void
}

/** The upgrade was answered with an HTTP status instead of `101`. */
export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`)
  }
}

/**
 * Opens a WebSocket with the `ws` package, sends the hello, and parses every frame as SSE
 * text. Rejects with {@link UpgradeRefused} when the server answers the upgrade with a status.
 *
 * @example
 * ```ts
 * const reader = await openRawWs(wsUrl, { lastEventId: '...' })
 * await reader.waitForEvents(3)
 * reader.close()
 * ```
 */
export function openRawWs(url: string | URL, options: RawWsOptions = {}): Promise<RawWsReader> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.origin !== undefined) headers.origin = options.origin
  const socket = new WebSocket(url, { headers })
  const items = createRawItems(`raw WebSocket ${url}`)
  const frames: string[] = []
  let closed: RawWsClose | undefined
  let pings = 0
  const pinged = createNotifier()

  socket.on('message', (data, isBinary) => {
    if (isBinary) return
    const text = data.toString()
    frames.push(text)
    items.feed(text)
  })
  socket.on('ping', () => {
    pings++
    pinged.notify()
  })
  // Errors are followed by 'close'; a listener keeps ws from throwing them.
  socket.on('error', () => {})
  socket.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() }
    items.end()
  })

  const send = (frame: Record<string, unknown> | string) => {
    socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => {
      reject(new UpgradeRefused(response.statusCode ?? 0))
      socket.terminate()
    })
    socket.once('error', reject)
    socket.once('open', () => {
      const { hello = { type: 'hello' } } = options
      if (hello !== false) {
        const frame =
          typeof hello === 'string' || options.lastEventId === undefined
            ? hello
            : { ...hello, lastEventId: options.lastEventId }
        send(frame)
      }
      const reader = Object.assign(items, {
        frames,
        pings: 0,
        async waitForPings(count: number, timeoutMs?: number) {
          await until(() => pings >= count, `${count} pings on ${url}`, {
            wake: pinged.wake,
            timeoutMs,
          })
        },
        socket,
        send,
        async waitForClose(timeoutMs?: number) {
          await items.waitForEnd(timeoutMs)
          return closed ?? { code: 0, reason: '' }
        },
        close() {
          socket.close()
        },
      })
      // A live count: Object.assign would copy a getter's value once.
      Object.defineProperty(reader, 'pings', { get: () => pings })
      resolve(reader)
    })
  })
}
