// The client side of every benchmark, run in a child process so its CPU time and memory are
// its own: `node .out/child.mjs <task> <spec as JSON>`. It reports over the IPC channel.
import { type DecodeCase, type DecodeVariant, timeDecoder } from './decode-variants'
import { runSubscribers, type SubscribersSpec } from './fanout-subscribers'
import { type IdleSpec, type IdleVariant, openIdle } from './idle-clients'
import { startMeasure } from './measure'
import { settledMemory } from './settled-memory'
import { receiveSse, type SseVariant } from './sse-clients'
import { receiveWs, type WsStreamSpec, type WsVariant } from './ws-clients'

/** A throughput run: one client reads `count` events. */
export interface ThroughputTask extends WsStreamSpec {
  pipe: 'sse' | 'websocket'
  variant: string
}

/** A decode run: one decoder on every input. */
export interface DecodeTask {
  variant: DecodeVariant
  cases: DecodeCase[]
}

/** A memory run: `count` idle connections of one variant. */
export interface IdleTask extends IdleSpec {
  variant: IdleVariant
  count: number
}

/** What an idle run reports, per connection. */
export interface IdleResult {
  rssBytes: number
  heapBytes: number
}

/** Connections opened at once: more would overflow the server's listen backlog. */
const CONNECT_BATCH = 200

async function throughput(task: ThroughputTask) {
  const run = startMeasure()
  if (task.pipe === 'sse') await receiveSse(task.variant as SseVariant, task)
  else await receiveWs(task.variant as WsVariant, task)
  process.send?.({ kind: 'result', value: run.stop() })
}

async function idle(task: IdleTask) {
  const before = await settledMemory()
  for (let opened = 0; opened < task.count; opened += CONNECT_BATCH) {
    const batch = Math.min(CONNECT_BATCH, task.count - opened)
    await Promise.all(Array.from({ length: batch }, () => openIdle(task.variant, task)))
  }
  const after = await settledMemory()
  const value: IdleResult = {
    rssBytes: (after.rss - before.rss) / task.count,
    heapBytes: (after.heap - before.heap) / task.count,
  }
  process.send?.({ kind: 'result', value })
}

const [task = '', spec = '{}'] = process.argv.slice(2)
const parsed: unknown = JSON.parse(spec)
// The runner ends the child by disconnecting; open sockets must not keep it alive.
process.on('disconnect', () => process.exit(0))
switch (task) {
  case 'throughput':
    await throughput(parsed as ThroughputTask)
    break
  case 'decode': {
    const task = parsed as DecodeTask
    process.send?.({ kind: 'result', value: timeDecoder(task.variant, task.cases) })
    break
  }
  case 'subscribers':
    await runSubscribers(parsed as SubscribersSpec)
    break
  case 'idle':
    await idle(parsed as IdleTask)
    break
  default:
    throw new Error(`unknown task ${task}`)
}
