import type { Server as HttpServer } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server as SocketIoServer } from 'socket.io'
import type { ThroughputTask } from './child'
import { forkChild } from './fork-child'
import type { ClientCost } from './measure'
import { payload, startReplayServer } from './replay-server'
import { type BenchResult, createCollector, type Metric } from './results'
import { type BenchSettings, scaled } from './settings'

const METRICS: Metric[] = [
  { key: 'eventsPerSecond', label: 'events/s', digits: 0, compare: true },
  { key: 'cpuSeconds', label: 'client CPU s', digits: 2, compare: true },
  { key: 'peakRssMiB', label: 'client peak RSS MiB', digits: 1, compare: true },
]

/** A socket.io server that emits `count` events of the same data to every client. */
async function startSocketIoServer(
  count: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const http: HttpServer = createServer()
  const io = new SocketIoServer(http, { transports: ['websocket'] })
  const data = payload()
  io.on('connection', async (socket) => {
    for (let i = 0; i < count; i++) {
      socket.emit('message', data)
      // Let the socket write now and then, as the hub's replay does.
      if (i % 1_000 === 999) await new Promise((resolve) => setImmediate(resolve))
      if (socket.disconnected) return
    }
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => io.close(() => resolve())),
  }
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
 * Benchmarks 2 and 3: one client process reads `count` ~100-byte events end to end; its
 * events/s, CPU seconds and peak RSS, every variant once per repetition, in rotating order.
 */
export async function benchThroughput(
  pipe: 'sse' | 'websocket',
  settings: BenchSettings,
): Promise<BenchResult> {
  const count = scaled(200_000, settings, 1_000)
  const replay = await startReplayServer(count)
  const peer = pipe === 'websocket' ? await startSocketIoServer(count) : undefined
  const variants =
    pipe === 'sse' ? ['lifeline', 'raw', 'eventsource'] : ['lifeline', 'raw', 'socket.io']
  const group = `${count} events`
  const runs = createCollector()
  try {
    for (let run = 0; run < settings.runs; run++) {
      for (let v = 0; v < variants.length; v++) {
        const variant = variants[(v + run) % variants.length]!
        const cost = await runClient({
          pipe,
          variant,
          url: variant === 'socket.io' ? peer!.url : replay.server.url,
          wsUrl: replay.server.wsUrl,
          lastEventId: replay.lastEventId,
          count,
        })
        runs.add(group, variant, {
          eventsPerSecond: count / cost.seconds,
          cpuSeconds: cost.cpuSeconds,
          peakRssMiB: cost.peakRssBytes / 1_048_576,
        })
      }
    }
  } finally {
    await peer?.close()
    await replay.server.close({ timeout: 1_000 })
  }
  const raw = pipe === 'sse' ? 'raw fetch + eventsource-parser' : 'raw ws + eventsource-parser'
  return {
    id: pipe === 'sse' ? 'sse' : 'websocket',
    title: pipe === 'sse' ? 'End to end over SSE' : 'End to end over WebSocket',
    metrics: METRICS,
    rows: runs.rows(() => 'raw'),
    notes: [
      `raw is ${raw}: the least a client must do to get the events out.`,
      'The hub holds the events and streams them as a replay paced by the client, so the client is the bottleneck. Each run is a fresh client process; CPU counts from the start of the connect to the last event; peak RSS includes start-up.',
      pipe === 'sse'
        ? 'eventsource is the npm package (v3, on fetch), against the same hub.'
        : 'socket.io is socket.io-client over its websocket transport against its own socket.io server in the runner process, emitting the same 100-byte data.',
    ],
  }
}
