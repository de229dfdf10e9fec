import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import { listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { type RawData, WebSocket, WebSocketServer } from 'ws'

/** One client connection as the test server sees it. */
export interface Peer {
  readonly socket: WebSocket
  readonly request: IncomingMessage
  /** Text frames the client sent, in order (the hello first). */
  readonly messages: string[]
  /** Resolves with the `index`-th text frame from the client, within `ms`. */
  message(index: number, ms?: number): Promise<string>
  /** Resolves with the close code the server saw, within `ms`. */
  closed(ms?: number): Promise<number>
}

/** A small `ws` server on 127.0.0.1 that hands each connection to the test. */
export interface FrameServer {
  /** The http URL a client would be given; the adapter derives ws from it. */
  readonly url: URL
  /** Resolves with the next connection, within `ms`. */
  peer(ms?: number): Promise<Peer>
  /** How many client sockets the server still holds. */
  clientCount(): number
  close(): Promise<void>
}

export interface FrameServerOptions {
  /** Refuse every upgrade with this HTTP status. */
  refuse?: number
  path?: string
}

export async function startFrameServer(options: FrameServerOptions = {}): Promise<FrameServer> {
  const http = createServer()
  const wss = new WebSocketServer({
    server: http,
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
    verifyClient: (_info, done) =>
      options.refuse === undefined ? done(true) : done(false, options.refuse),
  })
  const pending: Peer[] = []
  let waiting: ((peer: Peer) => void) | undefined
  wss.on('connection', (socket, request) => {
    const peer = createPeer(socket, request)
    if (waiting === undefined) pending.push(peer)
    else {
      const wake = waiting
      waiting = undefined
      wake(peer)
    }
  })
  const port = await listenOnLoopback(http)
  return {
    url: new URL(`http://127.0.0.1:${port}${options.path ?? '/events'}?stream=prices`),
    peer(ms = 5_000) {
      const ready = pending.shift()
      if (ready !== undefined) return Promise.resolve(ready)
      return bounded(
        new Promise<Peer>((resolve) => {
          waiting = resolve
        }),
        ms,
        'a connection',
      )
    },
    clientCount: () => wss.clients.size,
    async close() {
      for (const client of wss.clients) client.terminate()
      wss.close()
      http.closeAllConnections()
      http.close()
      await once(http, 'close')
    },
  }
}

function createPeer(socket: WebSocket, request: IncomingMessage): Peer {
  const messages: string[] = []
  let wake: (() => void) | undefined
  socket.on('message', (data: RawData, isBinary) => {
    if (!isBinary) messages.push(data.toString())
    wake?.()
  })
  const closed = new Promise<number>((resolve) => {
    socket.once('close', (code) => resolve(code))
  })
  return {
    socket,
    request,
    messages,
    message(index, ms = 5_000) {
      return bounded(
        new Promise<string>((resolve) => {
          const check = () => {
            const found = messages[index]
            if (found === undefined) wake = check
            else resolve(found)
          }
          check()
        }),
        ms,
        `client frame #${index}`,
      )
    },
    closed(ms = 5_000) {
      return bounded(closed, ms, 'the client socket to close')
    },
  }
}

/** Rejects if `promise` does not settle within `ms`. */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export { WebSocket }
