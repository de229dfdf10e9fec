// `npm run bench`: runs every benchmark in turn, prints its table, and writes all results to
// results/<time>.json and results/latest.{json,md}. See docs/performance.md.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { benchDecode } from './decode'
import { benchFailover } from './failover'
import { benchFanout } from './fanout'
import { benchLongPollLatency, benchLongPollThroughput } from './long-poll'
import { benchMemory } from './memory'
import type { BenchResult } from './results'
import { scriptBench } from './script-bench'
import { readSettings, scaled } from './settings'
import { renderTable } from './table'
import { benchThroughput } from './throughput'

const settings = readSettings(process.env)
const benchmarks: [string, () => Promise<BenchResult | undefined>][] = [
  ['decode', () => benchDecode(settings)],
  ['sse', () => benchThroughput('sse', settings)],
  ['websocket', () => benchThroughput('websocket', settings)],
  ['sse-client-bound', () => benchThroughput('sse', settings, 'client-bound')],
  ['websocket-client-bound', () => benchThroughput('websocket', settings, 'client-bound')],
  ['fanout', () => benchFanout(settings)],
  ['long-poll', () => benchLongPollThroughput(settings)],
  ['long-poll-latency', () => benchLongPollLatency(settings)],
  ['failover', () => benchFailover(settings)],
  ['memory', () => benchMemory(settings)],
  // Scripts of their own, bundled beside this one when their sources exist.
  [
    'server-fanout',
    () =>
      scriptBench(
        'server-fanout',
        'Server fan-out to SSE subscribers, and server memory per idle subscriber',
        [String(scaled(1_000, settings, 20)), String(scaled(2_000, settings, 100))],
        settings,
      ),
  ],
  [
    'redis-log',
    () =>
      scriptBench(
        'redis-log',
        'Event log on Redis Streams',
        [String(scaled(20_000, settings, 1_000))],
        settings,
      ),
  ],
  [
    'redis-streams',
    () =>
      scriptBench(
        'redis-streams',
        'Many streams on the Redis log: connections, memory per stream, latency',
        [
          String(scaled(100_000, settings, 1_000)),
          String(scaled(15_000, settings, 100)),
          String(scaled(10_000, settings, 100)),
          String(scaled(10_000, settings, 100)),
          '10',
        ],
        settings,
      ),
  ],
]

const machine = {
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  platform: `${process.platform} ${process.arch}`,
}
console.log(
  `Lifeline benchmarks: ${machine.cpus}, Node ${machine.node}; scale ${settings.scale}, ${settings.runs} runs`,
)

const results: BenchResult[] = []
const failures: { id: string; error: string }[] = []
const markdown: string[] = []
const started = Date.now()
for (const [id, bench] of benchmarks) {
  if (settings.only !== undefined && !settings.only.includes(id)) continue
  const start = Date.now()
  console.log(`\n(running ${id})`)
  const load = loadavg()[0]!
  let result: BenchResult | undefined
  try {
    result = await bench()
  } catch (error) {
    // One broken benchmark (a missing redis-server, say) must not lose the others' results.
    console.error(`${id} failed:`, error)
    failures.push({ id, error: String(error) })
    continue
  }
  if (result === undefined) continue
  // The machine is shared: the load average says how much the figures can be trusted.
  const loadNote = `Load average (1 min) at start and end: ${load.toFixed(2)}, ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores.`
  result.notes.push(loadNote)
  results.push(result)
  const section = [
    `## ${result.title}`,
    '',
    renderTable(result),
    '',
    ...result.notes.map((note) => `- ${note}`),
  ]
  markdown.push(section.join('\n'))
  console.log(`${section.join('\n')}\n(${((Date.now() - start) / 1000).toFixed(0)} s)`)
}

const dir = fileURLToPath(new URL('../results/', import.meta.url))
mkdirSync(dir, { recursive: true })
const report = {
  date: new Date(started).toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  machine,
  settings,
  results,
  failures,
}
const json = JSON.stringify(report, null, 2)
writeFileSync(`${dir}${report.date.replaceAll(':', '-')}.json`, json)
writeFileSync(`${dir}latest.json`, json)
writeFileSync(`${dir}latest.md`, `${markdown.join('\n\n')}\n`)
console.log(`\nDone in ${report.seconds} s; results in ${dir}`)
if (failures.length > 0) {
  console.error(`Failed: ${failures.map((failure) => failure.id).join(', ')}`)
  process.exitCode = 1
}
