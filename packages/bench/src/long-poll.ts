import { createHub, memoryLog } from '@lifeline/server'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import type { ThroughputTask } from './child'
import { now, type SubscribersMessage } from './fanout-subscribers'
import { type ChildHandle, forkChild } from './fork-child'
import { createLatencyHistogram } from './latency-histogram'
import type { ClientCost } from './measure'
import { startReplayServer } from './replay-server'
import { type BenchResult, createCollector } from './results'
import { type BenchSettings, scaled } from './settings'

/** The two transports compared, by the name the client reports. */
const TRANSPORTS = ['sse-fetch', 'long-poll'] as const

const EVENT_BYTES = 100

/** 100 bytes of data with the publish time in it, for the subscriber to subtract. */
function stamped(): string {
  const head = `{"t":${now().toFixed(3)},"p":"`
  return `${head}${'x'.repeat(EVENT_BYTES - head.length - 2)}"}`
}

async function runClient(task: ThroughputTask): Promise<ClientCost> {
  const child = forkChild('throughput', task)
  try {
    return (await child.next<{ value: ClientCost }>('result', 600_000)).value
  } finally {
    await child.stop()
  }
}

/**
 * Long-poll's throughput against sse-fetch's in the same run: one client process reads
 * `count` ~100-byte events that the hub holds, resuming from before the first, through
 * `createClient` with one transport. Over SSE the hub streams them as one replay; over
 * long-poll each poll carries at most 256 KiB and the client polls again at once.
 */
export async function benchLongPollThroughput(settings: BenchSettings): Promise<BenchResult> {
  const count = scaled(100_000, settings, 1_000)
  const replay = await startReplayServer(count)
  const group = `${count} events`
  const runs = createCollector()
  try {
    for (let run = 0; run < settings.runs; run++) {
      for (let v = 0; v < TRANSPORTS.length; v++) {
        const transport = TRANSPORTS[(v + run) % TRANSPORTS.length]!
        const cost = await runClient({
          pipe: 'sse',
          variant: transport === 'sse-fetch' ? 'lifeline' : 'long-poll',
          url: replay.server.url,
          wsUrl: replay.server.wsUrl,
          lastEventId: replay.lastEventId,
          count,
        })
        runs.add(group, transport, {
          eventsPerSecond: count / cost.seconds,
          cpuSeconds: cost.cpuSeconds,
        })
      }
    }
  } finally {
    await replay.server.close({ timeout: 1_000 })
  }
  return {
    id: 'long-poll',
    title: 'Long-poll against sse-fetch: throughput',
    metrics: [
      { key: 'eventsPerSecond', label: 'events/s', digits: 0, compare: true },
      { key: 'cpuSeconds', label: 'client CPU s', digits: 2, compare: true },
    ],
    rows: runs.rows(() => 'sse-fetch'),
    notes: [
      'Both are createClient with strategy none, one transport and a message handler, in a fresh client process per run, against the same hub (Node http) holding the events; every run resumes from before the first event.',
      'Over sse-fetch the hub streams one replay paced by the client; over long-poll it answers each poll with at most 256 KiB of events and its position block, and the client polls again at once with the new resume point.',
    ],
  }
}

/**
 * Long-poll's publish → delivery latency against sse-fetch's in the same run: one hub in
 * this process, Lifeline clients in one child process, 100-byte events stamped with their
 * publish time at a fixed rate. Per case and transport the clients connect once; each run
 * publishes for `seconds` and merges the clients' latency histograms.
 */
export async function benchLongPollLatency(settings: BenchSettings): Promise<BenchResult> {
  const seconds = 2
  const cases = [
    { clients: 1, rate: 100 },
    { clients: scaled(10, settings, 2), rate: 100 },
    { clients: scaled(10, settings, 2), rate: 1_000 },
    { clients: scaled(100, settings, 10), rate: 100 },
  ]
  const runs = createCollector()
  const details: Record<string, unknown>[] = []
  for (const { clients, rate } of cases) {
    for (const transport of TRANSPORTS) {
      const group = `${clients} clients × ${rate} events/s`
      const hub = createHub({ log: memoryLog({ capacity: 10_000 }), heartbeat: 15_000 })
      const server = await startHubServer({ hub })
      let child: ChildHandle | undefined
      try {
        const lastEventId = await hub.publish('events', { data: 'start' })
        child = forkChild('subscribers', {
          pipe: transport,
          url: server.url,
          wsUrl: server.wsUrl,
          count: clients,
          lastEventId,
        })
        await child.next('connected', 120_000)
        let pollsBefore = hub.stats().accepted['long-poll']
        for (let run = 0; run < settings.runs; run++) {
          const events = Math.round(rate * seconds)
          const cpu = process.cpuUsage()
          const start = performance.now()
          for (let i = 0; i < events; i++) {
            // On a fixed schedule: a late tick publishes at once rather than drifting.
            const wait = start + (i * 1000) / rate - performance.now()
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
            await hub.publish('events', { data: stamped() })
          }
          child.send({ kind: 'report', expect: events })
          const report = await child.next<Extract<SubscribersMessage, { kind: 'report' }>>(
            'report',
            60_000,
          )
          const used = process.cpuUsage(cpu)
          const wall = (performance.now() - start) / 1000
          const latency = createLatencyHistogram()
          latency.merge(report.counts)
          const pollsNow = hub.stats().accepted['long-poll']
          const polls = pollsNow - pollsBefore
          pollsBefore = pollsNow
          const serverCpu = (used.user + used.system) / 1e6
          runs.add(group, transport, {
            p50: latency.percentile(0.5),
            p99: latency.percentile(0.99),
            deliveriesPerSecond: report.delivered / seconds,
            pollsPerSecond: polls / wall,
            serverCpu: serverCpu / wall,
            clientCpu: report.cpuSeconds / wall,
            // Per answer, over everything the hub did meanwhile (the publishing included).
            serverCpuPerPoll: polls === 0 ? Number.NaN : (serverCpu * 1e6) / polls,
            clientCpuPerPoll: polls === 0 ? Number.NaN : (report.cpuSeconds * 1e6) / polls,
          })
          details.push({ group, transport, run, events, delivered: report.delivered, polls })
        }
      } finally {
        await child?.stop()
        await server.close({ timeout: 2_000 })
      }
    }
  }
  return {
    id: 'long-poll-latency',
    title: 'Long-poll against sse-fetch: publish → delivery latency',
    metrics: [
      { key: 'p50', label: 'p50 latency ms', digits: 2, compare: true },
      { key: 'p99', label: 'p99 latency ms', digits: 2, compare: true },
      { key: 'deliveriesPerSecond', label: 'deliveries/s', digits: 0, compare: false },
      { key: 'pollsPerSecond', label: 'polls/s', digits: 0, compare: false },
      { key: 'serverCpu', label: 'hub CPU (cores)', digits: 2, compare: true },
      { key: 'clientCpu', label: 'clients CPU (cores)', digits: 2, compare: true },
      { key: 'serverCpuPerPoll', label: 'hub CPU µs per poll', digits: 0, compare: false },
      { key: 'clientCpuPerPoll', label: 'clients CPU µs per poll', digits: 0, compare: false },
    ],
    rows: runs.rows(() => 'sse-fetch'),
    notes: [
      `One hub (Node http) in the runner process; the clients are createClient with one transport (strategy none, the default hold of 5 s), all in one child process. Every run publishes for ${seconds} s on a fixed schedule.`,
      'Latency: the client process’s clock minus the publish time stamped in the 100-byte data (performance.timeOrigin + now(), one machine), in 0.05 ms buckets. A held poll answers a tick after the first event; an event published while a client is between polls waits for its next poll, which the hub answers at once.',
      'Hub CPU: the runner process’s CPU time over the run, divided by its wall time (1.00 = one core busy); clients CPU: the same for the client process. Per poll: each process’s CPU time over the run divided by the polls the hub accepted in it (publishing and reading included, so an upper bound on what a poll costs).',
    ],
    details: { runs: details },
  }
}
