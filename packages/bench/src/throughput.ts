import type { Server as HttpServer } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server as SocketIoServer } from 'socket.io'
import type { ThroughputTask } from './child'
import { forkChild } from './fork-child'
import type { ClientCost } from './measure'
import { startPrebuiltServer } from './prebuilt-server'
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

/** Where the events come from: the real hub (end to end) or prebuilt bytes (client-bound). */
export type ThroughputMode = 'end-to-end' | 'client-bound'

/**
 * Benchmarks 2 and 3: one client process reads `count` ~100-byte events; its events/s, CPU
 * seconds and peak RSS, every variant once per repetition, in rotating order. End to end,
 * the hub streams them as a replay; client-bound, a server writes prebuilt bytes, so the
 * client alone sets the pace and its cost shows undiluted.
 */
export async function benchThroughput(
  pipe: 'sse' | 'websocket',
  settings: BenchSettings,
  mode: ThroughputMode = 'end-to-end',
): Promise<BenchResult> {
  const count = scaled(200_000, settings, 1_000)
  const bound = mode === 'client-bound'
  const replay = bound ? undefined : await startReplayServer(count)
  const prebuilt = bound ? await startPrebuiltServer(count) : undefined
  const url = prebuilt?.url ?? (replay as NonNullable<typeof replay>).server.url
  const wsUrl = prebuilt?.wsUrl ?? (replay as NonNullable<typeof replay>).server.wsUrl
  const peer = pipe === 'websocket' && !bound ? await startSocketIoServer(count) : undefined
  const peerVariant = pipe === 'sse' ? 'eventsource' : bound ? undefined : 'socket.io'
  const variants = ['lifeline', 'raw', ...(peerVariant === undefined ? [] : [peerVariant])]
  const group = `${count} events`
  const runs = createCollector()
  try {
    for (let run = 0; run < settings.runs; run++) {
      for (let v = 0; v < variants.length; v++) {
        const variant = variants[(v + run) % variants.length]!
        const cost = await runClient({
          pipe,
          variant,
          url: variant === 'socket.io' ? peer!.url : url,
          wsUrl,
          lastEventId: replay?.lastEventId ?? 'k3v9x2m7-0',
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
    await replay?.server.close({ timeout: 1_000 })
    await prebuilt?.close()
  }
  const raw = pipe === 'sse' ? 'raw fetch + eventsource-parser' : 'raw ws + eventsource-parser'
  const name = pipe === 'sse' ? 'SSE' : 'WebSocket'
  return {
    id: `${pipe}${bound ? '-client-bound' : ''}`,
    title: bound ? `Client-bound over ${name}` : `End to end over ${name}`,
    metrics: METRICS,
    rows: runs.rows(() => 'raw'),
    notes: [
      `raw is ${raw}: the least a client must do to get the events out. Lifeline is createClient with strategy none and one message handler.`,
      bound
        ? "A server writes the same prebuilt frames (up to 64 KiB, ids like the memory log's) as fast as the client reads them, so the client alone sets the pace. Each run is a fresh client process; CPU counts from the start of the connect to the last event; peak RSS includes start-up."
        : 'The hub holds the events and streams them as a replay paced by the client, so the client is the bottleneck. Each run is a fresh client process; CPU counts from the start of the connect to the last event; peak RSS includes start-up.',
      pipe === 'sse'
        ? 'eventsource is the npm package (v3, on fetch), against the same server.'
        : bound
          ? 'socket.io speaks its own protocol, so it has no client-bound row.'
          : 'socket.io is socket.io-client over its websocket transport against its own socket.io server in the runner process, emitting the same 100-byte data.',
    ],
  }
}
