import { createHub, memoryLog } from '@lifeline/server'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import type { SubscribersMessage } from './fanout-subscribers'
import { now } from './fanout-subscribers'
import { type ChildHandle, forkChild } from './fork-child'
import { createLatencyHistogram } from './latency-histogram'
import { type BenchResult, createCollector } from './results'
import { type BenchSettings, scaled } from './settings'

/** Subscriber processes: with 2 cores, one for the hub and the rest shared by these. */
const PROCESSES = 2
const EVENT_BYTES = 100

/**
 * Counts `TextEncoder.encode` calls while `run` is active: the hub encodes an event's block
 * once and hands the same bytes to every subscriber, so the count stays at one per event
 * however many subscribers there are.
 */
async function countEncodes(run: () => Promise<void>): Promise<number> {
  const original = TextEncoder.prototype.encode
  let calls = 0
  TextEncoder.prototype.encode = function encode(this: TextEncoder, input?: string) {
    calls++
    return original.call(this, input)
  }
  try {
    await run()
  } finally {
    TextEncoder.prototype.encode = original
  }
  return calls
}

/** 100 bytes of data with the publish time in it, for the subscriber to subtract. */
function stamped(): string {
  const head = `{"t":${now().toFixed(3)},"p":"`
  return `${head}${'x'.repeat(EVENT_BYTES - head.length - 2)}"}`
}

/**
 * Benchmark 4: one hub in this process, subscribers in child processes, 100-byte events on
 * one stream at a fixed rate. Per setting and pipe the subscribers connect once; each run
 * then publishes for `seconds` and collects delivery latency (now minus the publish time in
 * the payload) from every subscriber, the hub's CPU time, and how many times an event was
 * serialised.
 */
export async function benchFanout(settings: BenchSettings): Promise<BenchResult> {
  const seconds = 2
  // The two settings (100k deliveries/s each), then a quarter of each: on 2 cores the
  // subscriber processes, not the hub, run out of CPU first at the full settings.
  const cases = [
    { subscribers: scaled(10_000, settings, 20), rate: 10 },
    { subscribers: scaled(1_000, settings, 20), rate: 100 },
    { subscribers: scaled(2_500, settings, 20), rate: 10 },
    { subscribers: scaled(250, settings, 20), rate: 100 },
  ]
  const runs = createCollector()
  const details: Record<string, unknown>[] = []
  for (const { subscribers, rate } of cases) {
    for (const pipe of ['sse', 'websocket'] as const) {
      const group = `${subscribers} subscribers × ${rate} events/s`
      const hub = createHub({
        log: memoryLog({ capacity: 1_000 }),
        maxClients: subscribers + 100,
        heartbeat: 15_000,
      })
      const server = await startHubServer({ hub })
      const children: ChildHandle[] = []
      try {
        const connectStart = performance.now()
        for (let p = 0; p < PROCESSES; p++) {
          const count = Math.floor(subscribers / PROCESSES) + (p < subscribers % PROCESSES ? 1 : 0)
          children.push(
            forkChild('subscribers', { pipe, url: server.url, wsUrl: server.wsUrl, count }),
          )
        }
        await Promise.all(children.map((child) => child.next('connected', 120_000)))
        const connectSeconds = (performance.now() - connectStart) / 1000
        for (let run = 0; run < settings.runs; run++) {
          const events = Math.round(rate * seconds)
          const cpu = process.cpuUsage()
          const start = performance.now()
          const encodes = await countEncodes(async () => {
            for (let i = 0; i < events; i++) {
              // On a fixed schedule: a late tick publishes at once rather than drifting.
              const due = start + (i * 1000) / rate
              const wait = due - performance.now()
              if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
              await hub.publish('events', { data: stamped() })
            }
          })
          const reports = await Promise.all(
            children.map((child) => {
              child.send({ kind: 'report', expect: events })
              return child.next<Extract<SubscribersMessage, { kind: 'report' }>>('report', 60_000)
            }),
          )
          const used = process.cpuUsage(cpu)
          const wall = (performance.now() - start) / 1000
          const latency = createLatencyHistogram()
          let delivered = 0
          let subscriberCpu = 0
          for (const report of reports) {
            latency.merge(report.counts)
            delivered += report.delivered
            subscriberCpu += report.cpuSeconds
          }
          runs.add(group, pipe, {
            p50: latency.percentile(0.5),
            p99: latency.percentile(0.99),
            deliveriesPerSecond: delivered / seconds,
            serverCpu: (used.user + used.system) / 1e6 / wall,
            subscriberCpu: subscriberCpu / wall,
            encodesPerEvent: encodes / events,
          })
          details.push({
            group,
            pipe,
            run,
            events,
            delivered,
            expected: events * subscribers,
            encodes,
          })
        }
        details.push({ group, pipe, connectSeconds })
      } finally {
        await Promise.all(children.map((child) => child.stop()))
        await server.close({ timeout: 2_000 })
      }
    }
  }
  return {
    id: 'fanout',
    title: 'Fan-out',
    metrics: [
      { key: 'p50', label: 'p50 latency ms', digits: 1, compare: false },
      { key: 'p99', label: 'p99 latency ms', digits: 1, compare: false },
      { key: 'deliveriesPerSecond', label: 'deliveries/s', digits: 0, compare: false },
      { key: 'serverCpu', label: 'hub CPU (cores)', digits: 2, compare: false },
      { key: 'subscriberCpu', label: 'subscribers CPU (cores)', digits: 2, compare: false },
      { key: 'encodesPerEvent', label: 'serialisations per event', digits: 2, compare: false },
    ],
    rows: runs.rows(() => undefined),
    notes: [
      `One hub (Node http + ws) in the runner process; subscribers spread over ${PROCESSES} child processes as raw readers (http.get or ws), so they cost little and the figures are the hub's. Every run publishes for ${seconds} s on a fixed schedule.`,
      'Latency: the subscriber’s clock minus the publish time stamped in the 100-byte data (performance.timeOrigin + now(), one machine), in 0.05 ms buckets.',
      'Hub CPU: the runner process’s CPU time over the run, divided by its wall time (1.00 = one core busy); subscribers CPU: the same for all subscriber processes together. The two share 2 cores: where the subscribers need most of one, latency is theirs as much as the hub’s.',
      'Serialisations per event: TextEncoder.encode calls in the hub while publishing, per published event. 1.00 with thousands of subscribers proves each event is serialised once.',
    ],
    details: { runs: details },
  }
}
