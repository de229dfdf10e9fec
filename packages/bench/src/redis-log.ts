// The event log on Redis Streams against the in-memory log on the same machine: events/s
// appended, events/s fanned out to a subscriber on another instance, and the added latency
// from publish to delivery. Prints one JSON object (the bench runner's script format).
//
//   npm run bundle -w @lifeline/bench && node packages/bench/.out/redis-log.mjs [events=20000]
import { redisLog } from '@lifeline/redis'
import { type EventLog, type LogEntry, memoryLog } from '@lifeline/server'
import { startRedisServer } from '@lifeline/testkit/servers/redis-server'
import { createClient } from 'redis'

const EVENTS = Number(process.argv[2] ?? 20_000)
/** Appends in flight at once in the throughput runs, as a busy server would have. */
const WINDOW = 64
const LATENCY_SAMPLES = 2_000
const DATA = 'x'.repeat(100)

/** Appends `count` events with `window` in flight; resolves with events/s. */
async function appendRate(log: EventLog, stream: string, count: number, window: number) {
  const started = performance.now()
  let next = 0
  const worker = async () => {
    while (next < count) {
      next++
      await log.append(stream, { data: DATA })
    }
  }
  await Promise.all(Array.from({ length: window }, worker))
  return count / ((performance.now() - started) / 1_000)
}

/** Events/s from the first append until `reader` has delivered all of them. */
async function fanoutRate(writer: EventLog, reader: EventLog, stream: string, count: number) {
  let seen = 0
  let done: () => void = () => {}
  const all = new Promise<void>((resolve) => {
    done = resolve
  })
  const unsubscribe = reader.subscribe(stream, () => {
    if (++seen === count) done()
  })
  // A read waits for the loop to start, as the hub's first read does.
  await reader.newest(stream)
  const started = performance.now()
  await appendRate(writer, stream, count, WINDOW)
  await all
  unsubscribe()
  return count / ((performance.now() - started) / 1_000)
}

/** Publish-to-delivery latency in µs, one event at a time: p50 and p99. */
async function latency(writer: EventLog, reader: EventLog, stream: string) {
  let arrived: (entry: LogEntry) => void = () => {}
  const unsubscribe = reader.subscribe(stream, (entry) => arrived(entry))
  await reader.newest(stream)
  const samples: number[] = []
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const delivered = new Promise<LogEntry>((resolve) => {
      arrived = resolve
    })
    const started = performance.now()
    await writer.append(stream, { data: DATA })
    await delivered
    samples.push((performance.now() - started) * 1_000)
  }
  unsubscribe()
  samples.sort((a, b) => a - b)
  const at = (p: number) =>
    Math.round(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!)
  return { p50: at(0.5), p99: at(0.99) }
}

async function main() {
  const redis = await startRedisServer()
  const clients = [createClient({ url: redis.url }), createClient({ url: redis.url })]
  await Promise.all(clients.map((client) => client.connect()))
  // Two instances sharing one Redis: one publishes, the other fans out.
  const [writer, reader] = clients.map((client) => redisLog({ client, maxLen: EVENTS * 2 }))
  const memory = memoryLog({ capacity: EVENTS * 2 })
  try {
    // Warm-up: script cache, JIT.
    await appendRate(writer!, 'warm', 2_000, WINDOW)
    await appendRate(memory, 'warm', 2_000, WINDOW)
    const figures = {
      'append/s memory (64 in flight)': Math.round(await appendRate(memory, 'a', EVENTS, WINDOW)),
      'append/s redis (64 in flight)': Math.round(await appendRate(writer!, 'a', EVENTS, WINDOW)),
      'append/s memory (1 in flight)': Math.round(await appendRate(memory, 'b', EVENTS, 1)),
      'append/s redis (1 in flight)': Math.round(await appendRate(writer!, 'b', EVENTS, 1)),
      'fan-out/s memory': Math.round(await fanoutRate(memory, memory, 'c', EVENTS)),
      'fan-out/s redis (other instance)': Math.round(
        await fanoutRate(writer!, reader!, 'c', EVENTS),
      ),
    }
    const memoryLatency = await latency(memory, memory, 'd')
    const redisLatency = await latency(writer!, reader!, 'd')
    console.log(
      JSON.stringify({
        ...figures,
        'latency p50 µs memory': memoryLatency.p50,
        'latency p99 µs memory': memoryLatency.p99,
        'latency p50 µs redis': redisLatency.p50,
        'latency p99 µs redis': redisLatency.p99,
      }),
    )
  } finally {
    await Promise.all([writer!.close(), reader!.close()])
    await Promise.all(clients.map((client) => client.close()))
    await redis.close()
  }
}

await main()
