import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { type WebSocket, WebSocketServer } from 'ws'

/**
 * A server written from docs/protocol.md alone, with plain node:http and ws and none of
 * @lifeline/server: its own ids (`<boot>.<n>`), a ticker that publishes every 50 ms, a
 * heartbeat per connection. It proves lifeline-conformance checks the protocol, not our
 * hub. Each fault breaks one rule, for the negative tests.
 */
export interface Faults {
  /** Serve this content type instead of text/event-stream. */
  contentType?: string
  /** Send no position block. */
  noPosition?: boolean
  /** Treat an unknown resume point as a fresh connect, without reset. */
  noReset?: boolean
  /** Send no heartbeat comments. */
  noHeartbeat?: boolean
  /** Split the WebSocket's position block across two frames. */
  splitFrames?: boolean
  /** Restart by dropping every connection, without the close event. */
  noCloseEvent?: boolean
}

interface Client {
  send(text: string): void
  /** Sends the last text and ends the connection. */
  farewell(text: string): void
  /** Drops the connection without a word. */
  drop(): void
}

const TICK_MS = 50
const HEARTBEAT_MS = 200
const KEEP = 500

/** The minimal server on 127.0.0.1: SSE and WebSocket on `/events`, restart via `/restart`. */
export interface MinimalServer {
  url: string
  wsUrl: string
  /** A shell command that restarts it: history gone, a new boot id, the same port. */
  restartCommand: string
  close(): Promise<void>
}

export async function startMinimalServer(faults: Faults = {}): Promise<MinimalServer> {
  let boot = randomBytes(4).toString('hex')
  let log: { n: number; data: string }[] = []
  let seq = 0
  const clients = new Set<Client>()

  const id = (n: number) => `${boot}.${n}`
  const block = (n: number, data: string) => `id: ${id(n)}\ndata: ${data}\n\n`
  const position = (n: number) => (faults.noPosition ? '' : `id: ${id(n)}\n\n`)

  const tick = setInterval(() => {
    seq++
    const data = JSON.stringify({ n: seq, at: 'tick' })
    log.push({ n: seq, data })
    if (log.length > KEEP) log = log.slice(-KEEP)
    for (const client of clients) client.send(block(seq, data))
  }, TICK_MS)

  /** What a connection gets before live events, from its resume point. */
  function opening(resume: string | undefined): string[] {
    const out = ['retry: 500\n\n']
    const known = resume === undefined ? undefined : /^([0-9a-f]+)\.(\d+)$/.exec(resume)
    const n = known?.[1] === boot ? Number(known[2]) : Number.NaN
    const oldest = (log[0]?.n ?? seq + 1) - 1
    if (resume === undefined || resume === '') out.push(position(seq))
    else if (n >= oldest && n <= seq) {
      const replay = log.filter((entry) => entry.n > n)
      for (const entry of replay) out.push(block(entry.n, entry.data))
      out.push(position(replay.at(-1)?.n ?? n))
    } else {
      if (!faults.noReset) out.push('event: reset\ndata:\n\n')
      out.push(position(seq))
    }
    return out
  }

  function join(client: Client, resume: string | undefined) {
    // Replay and joining happen in one turn: no tick can fall between them.
    for (const text of opening(resume)) if (text !== '') client.send(text)
    clients.add(client)
    const beat = faults.noHeartbeat
      ? undefined
      : setInterval(() => client.send(': keep-alive\n\n'), HEARTBEAT_MS)
    return () => {
      clearInterval(beat)
      clients.delete(client)
    }
  }

  function sse(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const header = req.headers['last-event-id']
    const resume =
      typeof header === 'string' ? header : (url.searchParams.get('lastEventId') ?? undefined)
    res.writeHead(200, {
      'content-type': faults.contentType ?? 'text/event-stream',
      'cache-control': 'no-cache',
    })
    const leave = join(
      {
        send: (text) => {
          if (!res.writableEnded) res.write(text)
        },
        farewell: (text) => res.end(text),
        drop: () => res.destroy(),
      },
      resume,
    )
    res.on('close', leave)
  }

  function websocket(ws: WebSocket) {
    ws.on('error', () => {})
    ws.once('message', (raw) => {
      let hello: { type?: string; lastEventId?: string }
      try {
        hello = JSON.parse(raw.toString())
      } catch {
        return ws.close(1002)
      }
      if (hello.type !== 'hello') return ws.close(1002)
      ws.send(': welcome\n\n')
      const send = (text: string) => {
        if (ws.readyState !== ws.OPEN) return
        if (faults.splitFrames && /^id: [^\n]*\n\n$/.test(text)) {
          ws.send(text.slice(0, -1))
          ws.send('\n')
        } else ws.send(text)
      }
      const leave = join(
        {
          send,
          farewell: (text) => {
            ws.send(text)
            ws.close(1012)
          },
          drop: () => ws.terminate(),
        },
        hello.lastEventId,
      )
      ws.on('message', (frame) => {
        if (frame.toString() === '{"type":"ping"}') ws.send(': pong\n\n')
      })
      ws.once('close', leave)
    })
  }

  let server: Server
  let wss: WebSocketServer
  let port = 0
  const listen = async () => {
    server = createServer((req, res) => {
      if (
        new URL(req.url ?? '/', 'http://localhost').pathname === '/events' &&
        req.method === 'GET'
      )
        sse(req, res)
      else res.writeHead(404).end()
    })
    wss = new WebSocketServer({ server, path: '/events' })
    wss.on('connection', websocket)
    server.listen(port, '127.0.0.1')
    await once(server, 'listening')
    port = (server.address() as { port: number }).port
  }
  const stop = async () => {
    for (const client of [...clients]) {
      if (faults.noCloseEvent) client.drop()
      else client.farewell('event: close\ndata: {"reconnect":true}\n\n')
    }
    clients.clear()
    wss.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  await listen()

  // A restart as a process would do it: everyone told, the port closed, history gone.
  const control = createServer(async (req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end()
    await stop()
    boot = randomBytes(4).toString('hex')
    log = []
    seq = 0
    await listen()
    res.writeHead(204).end()
  })
  control.listen(0, '127.0.0.1')
  await once(control, 'listening')
  const controlUrl = `http://127.0.0.1:${(control.address() as { port: number }).port}/restart`

  return {
    url: `http://127.0.0.1:${port}/events`,
    wsUrl: `ws://127.0.0.1:${port}/events`,
    restartCommand: postCommand(controlUrl),
    async close() {
      clearInterval(tick)
      await stop()
      control.closeAllConnections()
      await new Promise((resolve) => control.close(resolve))
    },
  }
}

/** A shell command that POSTs to `url` and exits 0 on a 2xx: a hook for --publish or --restart. */
export function postCommand(url: string): string {
  const script = `fetch('${url}',{method:'POST'}).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`
  return `"${process.execPath}" -e "${script}"`
}
