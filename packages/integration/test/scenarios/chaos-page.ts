import { type Client, createClient, type Diagnostics, type Transport } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { sseXhr } from '@lifeline/sse-xhr'
import { mulberry32 } from '@lifeline/testkit/doubles/prng'
import { until } from '@lifeline/testkit/wait'
import { websocket } from '@lifeline/websocket'
import {
  createSequenceCheck,
  type SequenceCheck,
  type SequenceReport,
} from '../../src/sequence-check'

// Runs in Chromium: three clients side by side through the same chaos, so each shipped
// adapter leads one of them, with a second adapter to fall back to.

const lineups: Record<string, () => Transport[]> = {
  'sse-fetch': () => [sseFetch(), websocket()],
  'sse-xhr': () => [sseXhr(), websocket()],
  websocket: () => [websocket(), sseXhr()],
}

interface Run {
  client: Client
  check: SequenceCheck
  ids: string[]
  pipes: Set<string>
}

const runs = new Map<string, Run>()

/** What one client saw, for the Node side to assert on. */
export interface RunResult {
  lead: string
  report: SequenceReport
  ids: string[]
  pipes: string[]
  diagnostics: Diagnostics
  reconnects: number
}

const reconnects = new Map<string, number>()

/** Starts one client per adapter on `url`, with short timings and seeded jitter. */
export function start(url: string, seed: number, total: number): void {
  for (const [lead, lineup] of Object.entries(lineups)) {
    const client = createClient({
      url,
      transports: lineup(),
      strategy: { upgradeAfter: 1_000 },
      backoff: { initial: 20, max: 100 },
      connectTimeout: 1_000,
      firstByteTimeout: 300,
      heartbeatTimeout: 500,
      environment: { random: mulberry32(seed) },
    })
    const run: Run = { client, check: createSequenceCheck(total), ids: [], pipes: new Set() }
    client.on('message', (e) => {
      run.check.see(Number(e.data))
      run.ids.push(e.id ?? '')
      run.pipes.add(e.transport)
    })
    reconnects.set(lead, 0)
    client.connection.on('state', ({ to }) => {
      if (to === 'reconnecting') reconnects.set(lead, (reconnects.get(lead) ?? 0) + 1)
    })
    runs.set(lead, run)
  }
}

/** Resolves once every client holds a position (fresh clients get live events only). */
export async function positioned(): Promise<void> {
  await until(
    () => [...runs.values()].every((run) => run.client.connection.lastEventId !== undefined),
    'every client to hold a position',
    { timeoutMs: 10_000 },
  )
}

/** Resolves once every client delivered `total` events, within `timeoutMs`. */
export async function delivered(total: number, timeoutMs: number): Promise<void> {
  await until(
    () => [...runs.values()].every((run) => run.ids.length >= total),
    `${total} events at every client`,
    {
      pollMs: 20,
      timeoutMs,
      detail: () => [...runs].map(([lead, run]) => `${lead} ${run.ids.length}`).join(', '),
    },
  )
}

/** Closes every client and reports what each saw. */
export function finish(): RunResult[] {
  return [...runs].map(([lead, run]) => {
    run.client.close()
    return {
      lead,
      report: run.check.report(),
      ids: run.ids,
      pipes: [...run.pipes],
      diagnostics: run.client.connection.diagnostics(),
      reconnects: reconnects.get(lead) ?? 0,
    }
  })
}
