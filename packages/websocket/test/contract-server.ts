import { createServer } from 'node:http'
import type {
  ContractReceived,
  ContractScenario,
  ContractServer,
  MountedScenario,
} from '@lifeline/testkit/contract/cases'
import { mountRefused, scenarioMounts } from '@lifeline/testkit/contract/scenario-mounts'
import { closeServer, listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { createSocketTracker } from '@lifeline/testkit/wire/socket-tracker'
import { type WebSocket, WebSocketServer } from 'ws'

type Playable = Extract<ContractScenario, { kind: 'stream' | 'silent' }>

/**
 * The contract suite's server side for the WebSocket pipe: after the hello it sends the
 * acceptance frame (`: ok`), then one text frame per block, then closes with 1000 (`end`),
 * holds, or cuts the TCP connection (`drop`). `silent` takes the upgrade request and never
 * answers it. Pipes without an HTTP response never get `status` or `content-type` cases.
 */
export async function startWebSocketContractServer(): Promise<ContractServer> {
  const mounts = scenarioMounts<Playable>()
  const hellos = new Map<string, ContractReceived[]>()
  const sockets = createSocketTracker()

  const http = createServer((_req, res) => res.writeHead(426).end())
  const wss = new WebSocketServer({ noServer: true })
  http.on('connection', sockets.track)
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const scenario = mounts.arrive(path)
    if (scenario === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')
      return
    }
    if (scenario.kind === 'silent') {
      // An upgraded socket is half-open by default: let the client's hang-up end it.
      socket.once('end', () => socket.destroy())
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => play(ws, path, scenario))
  })

  function play(ws: WebSocket, path: string, scenario: Extract<Playable, { kind: 'stream' }>) {
    ws.on('error', () => {})
    ws.once('message', (data) => {
      const hello: { lastEventId?: string } = JSON.parse(data.toString())
      hellos.get(path)?.push({ lastEventId: hello.lastEventId })
      ws.send(': ok\n\n')
      for (const block of scenario.blocks) ws.send(block)
      if (scenario.after === 'end') ws.close(1000)
      else if (scenario.after === 'drop') ws.terminate()
    })
  }

  const port = await listenOnLoopback(http)

  return {
    async mount(scenario): Promise<MountedScenario> {
      if (scenario.kind === 'refused') return mountRefused()
      if (scenario.kind !== 'stream' && scenario.kind !== 'silent') {
        throw new Error(`a WebSocket cannot play a ${scenario.kind} scenario`)
      }
      const { path, requested } = mounts.add(scenario)
      const received: ContractReceived[] = []
      hellos.set(path, received)
      return { url: `http://127.0.0.1:${port}${path}`, requested, received: () => received }
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
