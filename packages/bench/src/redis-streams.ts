// The event log on Redis Streams with many streams on one instance: the Redis connections it
// holds, its memory per idle stream, and publish-to-delivery latency, spread over many
// streams and on one hot stream. Prints one JSON object (the bench runner's script format).
//
//   npm run bundle -w @lifeline/bench && node packages/bench/.out/redis-streams.mjs \
//     [streams=100000] [sseStreams=15000] [spread=10000] [hotSubscribers=10000] [seconds=10]
//
// 1. `streams` streams with one live log subscription each (EventLog.subscribe, no sockets):
//    Redis connections, heap per stream (one listener function shared by all, so what is
//    counted is the log's own cost), time to subscribe them all.
// 2. 1,000 events/s spread over the first `spread` of them, published by a second instance:
//    publish-to-delivery latency at the subscription.
// 3. One hot stream with `hotSubscribers` log subscriptions, 100 events/s published by the
//    other instance: latency at the last subscription called. (Over sockets the hub's
//    fan-out decides, not the log: see the fanout benchmark.)
// 4. One hub on the log, `sseStreams` raw SSE subscribers in two child processes, each on its
//    own stream: Redis connections.
import { loadavg } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { redisLog } from '@lifeline/redis'
import { createHub, type EventLog, type LogEntry } from '@lifeline/server'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { startRedisServer } from '@lifeline/testkit/servers/redis-server'
import { createClient } from 'redis'
import { now } from './fanout-subscribers'
import { type ChildHandle, forkChild } from './fork-child'
import { createLatencyHistogram } from './latency-histogram'

const [streams, sseStreams, spread, hotSubscribers, seconds] = [
  100_000, 15_000, 10_000, 10_000, 10,
].map((fallback, i) => Number(process.argv[2 + i] ?? fallback)) as [
  number,
  number,
  number,
  number,
  number,
]
const SUBSCRIBE_BATCH = 1_000
const PROCESSES = 2

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heap = async () => {
  // Twice with a pause between: finalisers of the first pass free more in the second.
  gc()
  await new Promise((resolve) => setTimeout(resolve, 200))
  gc()
  const { heapUsed, external, arrayBuffers } = process.memoryUsage()
  return heapUsed + external - arrayBuffers
}
const load = () => Number(loadavg()[0]!.toFixed(2))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const redis = await startRedisServer({ maxClients: 19_000 })
const connect = async () => {
  const client = createClient({ url: redis.url })
  client.on('error', () => {})
  await client.connect()
  return client
}
const admin = await connect()
/** Connections Redis holds now, but for the one asking. */
const connections = async () =>
  String(await admin.sendCommand(['CLIENT', 'LIST']))
    .trim()
    .split('\n').length - 1

/** Resolves once `check()` holds, polling; rejects after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 120_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`)
    await sleep(20)
  }
}

/** Publishes `total` events at `rate` per second on a fixed schedule, `data()` each. */
async function publishAt(
  log: EventLog,
  rate: number,
  total: number,
  stream: (i: number) => string,
  data: () => string,
) {
  const start = performance.now()
  const inFlight: Promise<unknown>[] = []
  for (let i = 0; i < total; i++) {
    // A late tick publishes at once rather than drifting.
    const wait = start + (i * 1000) / rate - performance.now()
    if (wait > 0) await sleep(wait)
    inFlight.push(log.append(stream(i), { data: data() }))
  }
  await Promise.all(inFlight)
}

const figures: Record<string, number> = {}
const onError = (error: unknown) => console.error('[redis-streams]', String(error))

// 1. Many streams, one log subscription each.
const readerClient = await connect()
const reader = redisLog({ client: readerClient, maxLen: 1_000, onError })
const names = Array.from({ length: streams }, (_, i) => `s-${i}`)
const latency = createLatencyHistogram()
let delivered = 0
const listener = (entry: LogEntry) => {
  latency.record(now() - Number(entry.data))
  delivered++
}
figures['load at start'] = load()
const heapBefore = await heap()
const rssBefore = process.memoryUsage().rss
const subscribeStart = performance.now()
for (let i = 0; i < streams; i += SUBSCRIBE_BATCH) {
  const batch = names.slice(i, i + SUBSCRIBE_BATCH)
  for (const stream of batch) reader.subscribe(stream, listener)
  // A read returns once the stream's feed has started.
  await Promise.all(batch.map((stream) => reader.newest(stream)))
}
figures['streams subscribed'] = streams
figures['subscribe s'] = Number(((performance.now() - subscribeStart) / 1_000).toFixed(1))
figures['redis connections, streams subscribed'] = await connections()
figures['heap bytes per idle stream'] = Math.round(((await heap()) - heapBefore) / streams)
figures['rss bytes per idle stream'] = Math.round((process.memoryUsage().rss - rssBefore) / streams)

// 2. 1,000 events/s spread over `spread` streams, from another instance.
const writerClient = await connect()
const writer = redisLog({ client: writerClient, maxLen: 1_000, onError })
const spreadEvents = 1_000 * seconds
figures['load at spread'] = load()
latency.reset()
delivered = 0
// A stride prime to the count visits every stream in turn, in a scattered order.
const streamOf = (i: number) => names[(i * 7_919) % Math.min(spread, streams)]!
await publishAt(writer, 1_000, spreadEvents, streamOf, () => String(now()))
await until('every spread event delivered', () => delivered >= spreadEvents, 30_000)
figures['spread streams'] = Math.min(spread, streams)
figures['spread events'] = spreadEvents
figures['spread p50 ms'] = latency.percentile(0.5)
figures['spread p99 ms'] = latency.percentile(0.99)
figures['spread max ms'] = latency.percentile(1)

// 3. One hot stream, many subscriptions.
const hot = createLatencyHistogram()
let hotDelivered = 0
const hotListener = (entry: LogEntry) => {
  hot.record(now() - Number(entry.data))
  hotDelivered++
}
for (let i = 0; i < hotSubscribers; i++) reader.subscribe('hot', hotListener)
await reader.newest('hot')
const hotEvents = 100 * seconds
figures['load at hot stream'] = load()
await publishAt(
  writer,
  100,
  hotEvents,
  () => 'hot',
  () => String(now()),
)
await until('every hot event delivered', () => hotDelivered >= hotEvents * hotSubscribers, 30_000)
figures['hot subscribers'] = hotSubscribers
figures['hot events'] = hotEvents
figures['hot p50 ms'] = hot.percentile(0.5)
figures['hot p99 ms'] = hot.percentile(0.99)
await reader.close()
await writer.close()
await writerClient.close()

// 4. One real SSE subscriber on each of `sseStreams` streams.
const hubLog = redisLog({ client: readerClient, maxLen: 1_000, onError })
const hub = createHub({ log: hubLog, maxClients: sseStreams + 100, heartbeat: 15_000 })
const server = await startHubServer({ hub })
figures['load at sse streams'] = load()
const sseStart = performance.now()
const children: ChildHandle[] = []
for (let p = 0; p < PROCESSES; p++) {
  const share = Math.floor(sseStreams / PROCESSES) + (p < sseStreams % PROCESSES ? 1 : 0)
  const firstStream = p * Math.floor(sseStreams / PROCESSES) + Math.min(p, sseStreams % PROCESSES)
  const spec = { pipe: 'sse', url: server.url, wsUrl: server.wsUrl, count: share, firstStream }
  children.push(forkChild('subscribers', { ...spec, streamPrefix: 'sse-' }))
}
await Promise.all(children.map((child) => child.next('connected', 300_000)))
figures['sse streams'] = hub.stats().streams
figures['sse connect s'] = Number(((performance.now() - sseStart) / 1_000).toFixed(1))
figures['redis connections, sse streams'] = await connections()
figures['load at end'] = load()
await Promise.all(children.map((child) => child.stop()))

console.log(JSON.stringify(figures, null, 2))
await server.close({ timeout: 2_000 })
await hubLog.close()
await readerClient.close()
await admin.close()
await redis.close()
