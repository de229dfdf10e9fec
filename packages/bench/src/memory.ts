import { createHub } from '@lifeline/server'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import type { IdleResult, IdleTask } from './child'
import { forkChild } from './fork-child'
import type { IdleVariant } from './idle-clients'
import { type BenchResult, createCollector } from './results'
import { type BenchSettings, scaled } from './settings'

const PIPES: { group: string; variants: IdleVariant[]; baseline: IdleVariant }[] = [
  { group: 'SSE', variants: ['lifeline sse-fetch', 'raw fetch'], baseline: 'raw fetch' },
  { group: 'WebSocket', variants: ['lifeline websocket', 'raw ws'], baseline: 'raw ws' },
]

/**
 * Benchmark 6: a child process opens `count` idle connections of one variant to a hub and
 * reports its RSS and heap growth per connection, after forced GC before and after.
 */
export async function benchMemory(settings: BenchSettings): Promise<BenchResult> {
  const count = scaled(2_000, settings, 50)
  const server = await startHubServer({ hub: createHub({ maxClients: count + 100 }) })
  const runs = createCollector()
  try {
    for (let run = 0; run < settings.runs; run++) {
      for (const { group, variants } of PIPES) {
        for (let v = 0; v < variants.length; v++) {
          const variant = variants[(v + run) % variants.length]!
          const task: IdleTask = { variant, url: server.url, wsUrl: server.wsUrl, count }
          const child = forkChild('idle', task, ['--expose-gc'])
          try {
            const { value } = await child.next<{ value: IdleResult }>('result', 120_000)
            runs.add(group, variant, {
              rssKiB: value.rssBytes / 1024,
              heapKiB: value.heapBytes / 1024,
            })
          } finally {
            await child.stop()
          }
        }
      }
    }
  } finally {
    await server.close({ timeout: 2_000 })
  }
  return {
    id: 'memory',
    title: 'Memory per idle connection',
    metrics: [
      { key: 'rssKiB', label: 'RSS KiB / connection', digits: 1, compare: true },
      { key: 'heapKiB', label: 'heap + external KiB / connection', digits: 1, compare: true },
    ],
    rows: runs.rows((group) => PIPES.find((pipe) => pipe.group === group)?.baseline),
    notes: [
      `${count} idle connections per child process to one hub; growth from before the first connect to after the last, each measured after two forced GCs.`,
      'raw fetch holds the response, its reader, a TextDecoder and an eventsource-parser per stream; raw ws a ws socket and a parser. Lifeline is createClient with one transport and a message handler.',
    ],
  }
}
