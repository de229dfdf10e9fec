import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { type WebSocket, WebSocketServer } from 'ws'
import { closeServer, createSocketTracker, listenOnLoopback } from './loopback'
import { mountRefused, type PlayedScenario, scenarioMounts } from './scenario-mounts'
import type {
  ContractChunk,
  ContractReceived,
  ContractScenario,
  ContractServer,
  MountedScenario,
} from './types'

/** A pause between flushed chunks, so each is likely its own read and a split is a split. */
const PACE_MS = 2

interface HttpReply {
  status: number
  headers: Record<string, string>
  chunks: readonly ContractChunk[]
  after: 'end' | 'hold' | 'destroy'
}

const EVENT_STREAM = { 'content-type': 'text/event-stream' }

function httpReply(scenario: PlayedScenario): HttpReply | 'silent' {
  switch (scenario.kind) {
    case 'stream':
      return {
        status: 200,
        headers: EVENT_STREAM,
        chunks: scenario.blocks,
        after: scenario.after === 'drop' ? 'destroy' : scenario.after,
      }
    case 'bytes':
      return { status: 200, headers: EVENT_STREAM, chunks: scenario.chunks, after: 'end' }
    case 'status':
      // A body that never ends: only a transport that cancels it lets the socket go.
      return scenario.status === 204
        ? { status: 204, headers: {}, chunks: [], after: 'end' }
        : {
            status: scenario.status,
            headers: { 'content-type': 'text/plain' },
            chunks: ['error'],
            after: 'hold',
          }
    case 'content-type':
      return {
        status: 200,
        headers: scenario.contentType === null ? {} : { 'content-type': scenario.contentType },
        chunks: scenario.blocks,
        after: 'hold',
      }
    case 'silent':
      return 'silent'
  }
}

const toBuffer = (chunk: ContractChunk) =>
  typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk)

async function answer(reply: HttpReply, res: ServerResponse): Promise<void> {
  // Chunked, so a cut socket is an incomplete body (a network error), never a clean end.
  const framing = reply.status === 204 ? {} : { 'transfer-encoding': 'chunked' }
  // A response that ends also closes its socket, so `openConnections()` counts only what a
  // client still holds, not what its pool parks. Not on a cut: Node's fetch (undici) takes a
  // close after `connection: close` for a clean end even mid-chunk.
  const connection = reply.after === 'end' ? { connection: 'close' } : {}
  res.writeHead(reply.status, { ...reply.headers, ...framing, ...connection })
  res.flushHeaders()
  for (const [index, chunk] of reply.chunks.entries()) {
    if (index > 0) await delay(PACE_MS)
    if (res.destroyed) return
    await new Promise<void>((resolve, reject) => {
      res.write(toBuffer(chunk), (error) => (error ? reject(error) : resolve()))
    })
  }
  if (reply.after === 'end') res.end()
  else if (reply.after === 'destroy') {
    // Paced like a chunk: the cut is its own read, after the bytes before it.
    await delay(PACE_MS)
    res.socket?.destroy()
  }
}

/** The resume point of an HTTP request: the header (sent as UTF-8 bytes), else the query. */
function httpResumePoint(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['last-event-id']
  if (typeof header === 'string') return Buffer.from(header, 'latin1').toString('utf8')
  return url.searchParams.get('lastEventId') ?? undefined
}

/** After the hello: the acceptance frame, one text frame per block, then the ending. */
function playWebSocket(
  ws: WebSocket,
  scenario: Extract<ContractScenario, { kind: 'stream' }>,
  received: ContractReceived[] | undefined,
) {
  ws.on('error', () => {})
  ws.once('message', (data) => {
    let hello: { lastEventId?: unknown }
    try {
      hello = JSON.parse(data.toString())
    } catch {
      ws.close(1002)
      return
    }
    received?.push({
      lastEventId: typeof hello.lastEventId === 'string' ? hello.lastEventId : undefined,
    })
    ws.send(': ok\n\n')
    for (const block of scenario.blocks) ws.send(block)
    if (scenario.after === 'end') ws.close(1000)
    else if (scenario.after === 'drop') ws.terminate()
  })
}

/**
 * Starts the contract's server side on 127.0.0.1 (port from the OS). Each mounted scenario
 * gets a path of its own and is played for whichever pipe arrives there: an HTTP request
 * gets the response (SSE, long-poll), a WebSocket upgrade the hello, `: ok` and a frame
 * per block. `describeTransportContract` starts one per suite; start one yourself to run
 * the cases elsewhere (`runContractCase` in a browser page).
 *
 * @example
 * ```ts
 * const server = await startContractServer()
 * const mounted = await server.mount({ kind: 'stream', blocks: ['data: a\n\n'], after: 'end' })
 * const records = await runContractCase(testCase, myTransport(), mounted)
 * await server.close()
 * ```
 */
export async function startContractServer(): Promise<ContractServer> {
  const mounts = scenarioMounts()
  const received = new Map<string, ContractReceived[]>()
  // Only sockets that carried a request count: after an aborted request, Node's fetch
  // (undici) opens a spare idle connection for its pool, which no transport holds.
  const sockets = createSocketTracker()
  const wss = new WebSocketServer({ noServer: true })

  const http = createServer((req, res) => {
    sockets.track(req.socket)
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const scenario = mounts.arrive(url.pathname)
    if (scenario === undefined) return void res.writeHead(404).end()
    received.get(url.pathname)?.push({ lastEventId: httpResumePoint(req, url) })
    const reply = httpReply(scenario)
    if (reply === 'silent') return
    answer(reply, res).catch(() => res.destroy())
  })

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.track(req.socket)
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const scenario = mounts.arrive(path)
    if (scenario?.kind === 'silent') {
      // An upgraded socket is half-open by default: let the client's hang-up end it.
      socket.once('end', () => socket.destroy())
      return
    }
    if (scenario?.kind !== 'stream') {
      // Only a stream can be played over a WebSocket; the rest need an HTTP response.
      const status =
        scenario === undefined ? 404 : scenario.kind === 'status' ? scenario.status : 400
      socket.end(`HTTP/1.1 ${status} Contract\r\ncontent-length: 0\r\n\r\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => playWebSocket(ws, scenario, received.get(path)))
  })

  const port = await listenOnLoopback(http)

  return {
    async mount(scenario): Promise<MountedScenario> {
      if (scenario.kind === 'refused') return mountRefused()
      const { path, requested } = mounts.add(scenario)
      const requests: ContractReceived[] = []
      received.set(path, requests)
      return { url: `http://127.0.0.1:${port}${path}`, requested, received: () => requests }
    },
    openConnections: () => sockets.size,
    drained: (timeoutMs) => sockets.drained(timeoutMs),
    async close() {
      sockets.destroyAll()
      wss.close()
      await closeServer(http)
    },
  }
}
