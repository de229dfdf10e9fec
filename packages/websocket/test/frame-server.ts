import { createServer, type IncomingMessage } from 'node:http'
import { createArrivals, createNotifier, until, within } from '@lifeline/testkit/wait'
import { closeServer, listenOnLoopback } from '@lifeline/testkit/wire/loopback'
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
  const peers = createArrivals<Peer>()
  wss.on('connection', (socket, request) => peers.push(createPeer(socket, request)))
  const port = await listenOnLoopback(http)
  return {
    url: new URL(`http://127.0.0.1:${port}${options.path ?? '/events'}?stream=prices`),
    peer: (ms) => peers.next('a connection', { timeoutMs: ms }),
    clientCount: () => wss.clients.size,
    async close() {
      for (const client of wss.clients) client.terminate()
      wss.close()
      await closeServer(http)
    },
  }
}

function createPeer(socket: WebSocket, request: IncomingMessage): Peer {
  const messages: string[] = []
  const received = createNotifier()
  socket.on('message', (data: RawData, isBinary) => {
    if (!isBinary) messages.push(data.toString())
    received.notify()
  })
  const closed = new Promise<number>((resolve) => {
    socket.once('close', (code) => resolve(code))
  })
  return {
    socket,
    request,
    messages,
    message: (index, ms) =>
      until(() => messages[index], `client frame #${index}`, {
        wake: received.wake,
        timeoutMs: ms,
      }),
    closed: (ms) => within(closed, 'the client socket to close', { timeoutMs: ms }),
  }
}

export { WebSocket }
