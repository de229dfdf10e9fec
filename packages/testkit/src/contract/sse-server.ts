import {
  type ChunkReply,
  type ReceivedRequest,
  refusedUrl,
  startChunkServer,
} from '../wire/chunk-server'
import type { ContractReceived, ContractScenario, ContractServer, MountedScenario } from './cases'

function reply(scenario: Exclude<ContractScenario, { kind: 'refused' }>): ChunkReply {
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
  const scenarios = new Map<string, Exclude<ContractScenario, { kind: 'refused' }>>()
  const arrivals = new Map<string, () => void>()
  const server = await startChunkServer((request) => {
    const scenario = scenarios.get(request.path)
    arrivals.get(request.path)?.()
    return scenario === undefined ? { status: 404, headers: {} } : reply(scenario)
  })
  let next = 0

  return {
    async mount(scenario): Promise<MountedScenario> {
      if (scenario.kind === 'refused') {
        const url = await refusedUrl('/refused')
        return { url: url.href, requested: () => new Promise(() => {}), received: () => [] }
      }
      next += 1
      const path = `/case/${next}`
      scenarios.set(path, scenario)
      const arrived = new Promise<void>((resolve) => arrivals.set(path, resolve))
      return {
        url: server.url(path).href,
        requested: () => arrived,
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
