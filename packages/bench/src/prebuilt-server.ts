import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { payload } from './replay-server'

/** A server that streams the same prebuilt bytes to every client, over SSE and WebSocket. */
export interface PrebuiltServer {
  url: string
  wsUrl: string
  close(): Promise<void>
}

/** The frame size the hub packs events into, so both servers cut the stream alike. */
const FRAME_BYTES = 64 * 1024

/**
 * Prebuilds `count` events of ~100 bytes of data, with ids shaped like the memory log's
 * (`<epoch>-<seq>`), cut into frames of up to 64 KiB at event boundaries.
 */
function prebuild(count: number): Buffer[] {
  const data = payload()
  const frames: Buffer[] = []
  let frame = ''
  for (let seq = 1; seq <= count; seq++) {
    const block = `id: k3v9x2m7-${seq}\ndata: ${data}\n\n`
    if (frame.length + block.length > FRAME_BYTES) {
      frames.push(Buffer.from(frame))
      frame = ''
    }
    frame += block
  }
  if (frame !== '') frames.push(Buffer.from(frame))
  return frames
}

/**
 * Starts the client-bound baseline: the server does no work per event, it only writes
 * frames it built before the run, as fast as the client reads them (backpressure), so the
 * client is the only bottleneck.
 *
 * @example
 * ```ts
 * const server = await startPrebuiltServer(200_000)
 * ```
 */
export async function startPrebuiltServer(count: number): Promise<PrebuiltServer> {
  const frames = prebuild(count)
  const head = Buffer.from('retry: 1000\n\nid: k3v9x2m7-0\n\n')

  const sse = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.write(head)
    let next = 0
    const pump = () => {
      while (next < frames.length)
        if (!res.write(frames[next++])) return void res.once('drain', pump)
    }
    req.on('close', () => {
      next = frames.length
    })
    pump()
  }

  const http = createServer(sse)
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false })
  wss.on('connection', (socket) => {
    socket.once('message', () => {
      // The first frame accepts the hello; then every frame waits for the one before.
      socket.send(': ok\n\n')
      let next = 0
      const pump = () => {
        if (next >= frames.length || socket.readyState !== socket.OPEN) return
        socket.send(frames[next++] as Buffer, { binary: false }, pump)
      }
      pump()
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/events`,
    wsUrl: `ws://127.0.0.1:${port}/events`,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}
