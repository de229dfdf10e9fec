// The two child processes of the soak (`soak.ts`): the hub and the client, each in its own
// process so that each one's memory is its own. The parent holds the fault proxy between.
import { createClient } from '@lifeline/core'
import { createSequenceCheck } from '@lifeline/integration'
import { sseFetch } from '@lifeline/sse-fetch'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { websocket } from '@lifeline/websocket'
import { settledMemory } from './settled-memory'
import type { Memory } from './soak-report'

/** Timings short enough that a fault every few seconds is found and left quickly. */
export const SOAK_TIMINGS = {
  hub: { heartbeat: 1_000, retry: 100 },
  client: {
    backoff: { initial: 100, max: 2_000 },
    connectTimeout: 3_000,
    firstByteTimeout: 1_500,
    heartbeatTimeout: 2_500,
    strategy: { upgradeAfter: 10_000 },
  },
} as const

/** The hub's task: publish events `1..total` at `rate` a second once told to start. */
export interface SoakServerSpec {
  total: number
  rate: number
  /** Bytes of each event's data (its sequence number, padded). */
  size: number
}

/** The client's task: read events `1..total` from `url` (the proxy in front of the hub). */
export interface SoakClientSpec {
  url: string
  total: number
}

/** What the client reports at the end. */
export interface SoakClientReport {
  delivered: number
  lost: number
  duplicates: number
  outOfOrder: number
  firstLost: number[]
  gaps: number
  reconnects: number
  switches: number
  /** Transport names that delivered events. */
  transports: string[]
}

const memory = async (): Promise<Memory> => {
  const { heap, code, rss } = await settledMemory()
  return { heapBytes: heap - code, codeBytes: code, rssBytes: rss }
}

const send = (message: object) => process.send?.(message)

/** The hub's process: a hub server on loopback, a paced publisher, memory on request. */
export async function soakServer(spec: SoakServerSpec): Promise<void> {
  const server = await startHubServer({ hubOptions: SOAK_TIMINGS.hub })
  let published = 0
  const publishAll = async () => {
    const interval = 1_000 / spec.rate
    const start = performance.now()
    while (published < spec.total) {
      // Pacing, not synchronisation: the next event is not due yet.
      const wait = start + published * interval - performance.now()
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait))
      await server.hub.publish('events', { data: String(published + 1).padEnd(spec.size) })
      published++
    }
    send({ kind: 'published', count: published })
  }
  process.on('message', (message: { kind: string }) => {
    if (message.kind === 'start') void publishAll()
    if (message.kind === 'sample')
      void memory().then((value) => send({ kind: 'sample', memory: value, published }))
  })
  send({ kind: 'ready', port: Number(new URL(server.url).port) })
}

/** The client's process: createClient with sseFetch and websocket, every event checked. */
export async function soakClient(spec: SoakClientSpec): Promise<void> {
  const check = createSequenceCheck(spec.total)
  const transports = new Set<string>()
  let gaps = 0
  let reconnects = 0
  let switches = 0
  const client = createClient({
    url: spec.url,
    transports: [sseFetch(), websocket()],
    ...SOAK_TIMINGS.client,
  })
  let finish: (() => void) | undefined
  let last = 0
  client.on('message', (event) => {
    last = Number(event.data)
    check.see(last)
    transports.add(event.transport)
    // Events arrive in order: the last one means the stream has caught up (the report
    // counts anything lost or repeated before it).
    if (last === spec.total) finish?.()
  })
  client.connection.on('gap', () => gaps++)
  client.connection.on('state', ({ to }) => {
    if (to === 'reconnecting') reconnects++
  })
  client.connection.on('transport', () => switches++)

  const report = (): SoakClientReport => ({
    ...check.report(),
    gaps,
    reconnects,
    switches,
    transports: [...transports],
  })
  process.on('message', (message: { kind: string }) => {
    if (message.kind === 'sample')
      void memory().then((value) => send({ kind: 'sample', memory: value, ...report() }))
    if (message.kind === 'finish') {
      // The schedule has stopped: the stream catches up (bounded), then the client reports.
      const deadline = setTimeout(() => finish?.(), 60_000)
      finish = () => {
        finish = undefined
        clearTimeout(deadline)
        client.close()
        send({ kind: 'report', value: report() })
      }
      if (last === spec.total) finish()
    }
  })
  // A fresh client gets live events only: the hub starts publishing once it has a place.
  const positioned = () => {
    if (client.connection.lastEventId === undefined) return void setTimeout(positioned, 10)
    send({ kind: 'positioned' })
  }
  positioned()
}
