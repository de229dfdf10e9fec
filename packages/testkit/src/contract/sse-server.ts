import { type ChunkReply, type ReceivedRequest, startChunkServer } from '../wire/chunk-server'
import type { ContractReceived, ContractServer, MountedScenario } from './cases'
import { mountRefused, type PlayedScenario, scenarioMounts } from './scenario-mounts'

function reply(scenario: PlayedScenario): ChunkReply {
  switch (scenario.kind) {
    case 'stream':
      return {
        chunks: scenario.blocks,
        after: scenario.after === 'drop' ? 'destroy' : scenario.after,
      }
    case 'status':
      // A body that never ends: only a transport that cancels it lets the socket go.
      return scenario.status === 204
        ? { status: 204, headers: {} }
        : {
            status: scenario.status,
            headers: { 'content-type': 'text/plain' },
            chunks: ['error'],
            after: 'hold',
          }
    case 'content-type':
      return {
        headers: scenario.contentType === null ? {} : { 'content-type': scenario.contentType },
        chunks: scenario.blocks,
        after: 'hold',
      }
    case 'silent':
      return 'silent'
  }
}

/** Header values arrive as latin1 chars; the resume point was sent as UTF-8 bytes. */
function resumePoint(request: ReceivedRequest): string | undefined {
  const header = request.headers['last-event-id']
  return typeof header === 'string' ? Buffer.from(header, 'latin1').toString('utf8') : undefined
}

/**
 * The contract suite's server side for SSE pipes (sse-fetch here, sse-xhr from a browser
 * runner): each scenario is played by a chunk server on 127.0.0.1 under its own path.
 *
 * @example
 * ```ts
 * describeAdapterContract('sse-fetch', {
 *   transport: () => sseFetch(),
 *   server: startSseContractServer,
 *   capabilities: { httpResponse: true },
 * })
 * ```
 */
export async function startSseContractServer(): Promise<ContractServer> {
  const mounts = scenarioMounts<PlayedScenario>()
  const server = await startChunkServer((request) => {
    const scenario = mounts.arrive(request.path)
    return scenario === undefined ? { status: 404, headers: {} } : reply(scenario)
  })

  return {
    async mount(scenario): Promise<MountedScenario> {
      if (scenario.kind === 'refused') return mountRefused()
      const { path, requested } = mounts.add(scenario)
      return {
        url: server.url(path).href,
        requested,
        received: (): ContractReceived[] =>
          server.requests
            .filter((r) => r.path === path)
            .map((r) => ({ lastEventId: resumePoint(r) })),
      }
    },
    openConnections: () => server.openSockets(),
    drained: (timeoutMs) => server.drained(timeoutMs),
    close: () => server.close(),
  }
}
