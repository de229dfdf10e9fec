// `npm run soak` (not in CI): streams through the real hub and the fault proxy for a long
// time with a fault every few seconds, and samples both processes' memory every minute.
// The hub and the client run in child processes of this one (this script forks itself);
// the proxy and the fault schedule run here. See docs/reliability.md, "Soak".
//
// Settings from the environment: LIFELINE_SOAK_MINUTES (default 60), LIFELINE_SOAK_RATE
// (events a second, default 100), LIFELINE_SOAK_FAULT_MS (pause between faults, default
// 2000-5000), LIFELINE_SOAK_SEED (default 1). Exits with 1 when an event was lost,
// repeated or reordered, a gap was emitted, or a memory curve is not flat.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { startChaos } from '@lifeline/integration'
import { createFaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { forkChild } from './fork-child'
import { flatness, type Memory, renderSamples, type SoakSample } from './soak-report'
import {
  SOAK_TIMINGS,
  type SoakClientReport,
  type SoakClientSpec,
  type SoakServerSpec,
  soakClient,
  soakServer,
} from './soak-roles'

/** A heap that grows by more than this a minute after the warm-up is a leak. */
const MAX_SLOPE = 64 * 1024
/** While the hub's log fills to its 10,000 events its heap grows by design. */
const WARMUP_MINUTES = 2
const EVENT_BYTES = 100

function readSoakSettings(env: Record<string, string | undefined>) {
  const number = (name: string, fallback: number) => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    const value = Number(text)
    if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`${name} must be > 0`)
    return value
  }
  const faults = (env.LIFELINE_SOAK_FAULT_MS ?? '2000-5000').split('-').map(Number)
  const [least, most] = [faults[0] ?? Number.NaN, faults[1] ?? faults[0] ?? Number.NaN]
  if (!(least > 0 && most >= least)) throw new RangeError('LIFELINE_SOAK_FAULT_MS is <ms>-<ms>')
  return {
    minutes: Math.round(number('LIFELINE_SOAK_MINUTES', 60)),
    rate: number('LIFELINE_SOAK_RATE', 100),
    everyMs: [least, most] as const,
    seed: Math.round(number('LIFELINE_SOAK_SEED', 1)),
  }
}

async function main() {
  const settings = readSoakSettings(process.env)
  const total = Math.round(settings.minutes * 60 * settings.rate)
  const script = fileURLToPath(import.meta.url)
  const gcArgv = ['--expose-gc']
  console.log(
    `Lifeline soak: ${settings.minutes} min, ${settings.rate} events/s (${total.toLocaleString('en-US')}), a fault every ${settings.everyMs.join('-')} ms, seed ${settings.seed}; ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
  )
  const serverSpec: SoakServerSpec = { total, rate: settings.rate, size: EVENT_BYTES }
  const server = forkChild('soak-server', serverSpec, gcArgv, script)
  const { port } = await server.next<{ port: number }>('ready', 30_000)
  const proxy = await createFaultProxy({ upstream: { port }, seed: settings.seed })
  const clientSpec: SoakClientSpec = { url: `${proxy.url}/events`, total }
  const client = forkChild('soak-client', clientSpec, gcArgv, script)
  await client.next('positioned', 30_000)

  const samples: SoakSample[] = []
  const started = performance.now()
  server.send({ kind: 'start' })
  const chaos = startChaos({ proxy, seed: settings.seed, everyMs: settings.everyMs, blockSse: 0.1 })
  const published = server.next<{ count: number }>('published', (settings.minutes + 5) * 60_000)

  const sample = async (minute: number) => {
    server.send({ kind: 'sample' })
    client.send({ kind: 'sample' })
    const [fromServer, fromClient] = await Promise.all([
      server.next<{ memory: Memory; published: number }>('sample', 60_000),
      client.next<{ memory: Memory } & SoakClientReport>('sample', 60_000),
    ])
    const row: SoakSample = {
      minute,
      client: fromClient.memory,
      server: fromServer.memory,
      published: fromServer.published,
      delivered: fromClient.delivered,
      faults: chaos.injected,
      reconnects: fromClient.reconnects,
      switches: fromClient.switches,
    }
    samples.push(row)
    console.log(renderSamples([row]).split('\n')[2])
  }
  console.log(renderSamples([]))
  for (let minute = 0; minute <= settings.minutes; minute++) {
    // Pacing: each sample is due a whole minute after the start.
    const due = started + minute * 60_000 - performance.now()
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, due))
    await sample(minute)
  }
  await published
  chaos.stop()
  client.send({ kind: 'finish' })
  const { value: report } = await client.next<{ value: SoakClientReport }>('report', 120_000)
  await Promise.all([client.stop(), server.stop()])
  await proxy.close()

  const minutes = samples.map((s) => s.minute)
  const curves = {
    client: flatness(
      minutes,
      samples.map((s) => s.client.heapBytes),
      WARMUP_MINUTES,
      MAX_SLOPE,
    ),
    server: flatness(
      minutes,
      samples.map((s) => s.server.heapBytes),
      WARMUP_MINUTES,
      MAX_SLOPE,
    ),
  }
  const delivered = report.lost === 0 && report.duplicates === 0 && report.outOfOrder === 0
  const ok = delivered && report.gaps === 0 && curves.client.flat && curves.server.flat
  const summary = [
    `events: ${report.delivered.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} delivered, ${report.lost} lost (first: ${report.firstLost.join(', ') || 'none'}), ${report.duplicates} repeated, ${report.outOfOrder} out of order, ${report.gaps} gaps; ${chaos.injected} faults (${chaos.injectedOnWebSocket} on WebSocket), ${report.reconnects} reconnects, ${report.switches} transport switches, delivered over ${report.transports.join(' and ')}`,
    ...(['client', 'server'] as const).map((side) => {
      const code = samples.map((s) => s[side].codeBytes / 1_048_576)
      return `${side} heap after minute ${WARMUP_MINUTES}: ${(curves[side].slopeBytesPerMinute / 1024).toFixed(1)} KiB/min by least squares, ${(curves[side].growthBytes / 1024).toFixed(0)} KiB from first to last: ${curves[side].flat ? 'flat' : 'NOT FLAT'} (limit ${MAX_SLOPE / 1024} KiB/min); compiled code (not counted) ${code[0]?.toFixed(1)} -> ${code.at(-1)?.toFixed(1)} MiB`
    }),
  ]
  console.log(`\n${summary.join('\n')}\n${ok ? 'soak passed' : 'SOAK FAILED'}`)

  const results = fileURLToPath(new URL('../results/', import.meta.url))
  mkdirSync(results, { recursive: true })
  const record = { settings, timings: SOAK_TIMINGS, samples, report, curves, chaos: chaos.log }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  writeFileSync(`${results}soak-${stamp}.json`, `${JSON.stringify(record, null, 2)}\n`)
  writeFileSync(`${results}soak-latest.md`, `${renderSamples(samples)}\n\n${summary.join('\n')}\n`)
  process.exitCode = ok ? 0 : 1
}

const [role = '', spec = '{}'] = process.argv.slice(2)
if (role === 'soak-server' || role === 'soak-client') {
  // The parent ends a child by disconnecting; open sockets must not keep it alive.
  process.on('disconnect', () => process.exit(0))
  if (role === 'soak-server') await soakServer(JSON.parse(spec) as SoakServerSpec)
  else await soakClient(JSON.parse(spec) as SoakClientSpec)
} else await main()
