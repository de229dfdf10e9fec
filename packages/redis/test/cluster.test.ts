import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createHub, type LogEntry } from '@lifeline/server'
import { createFaultProxy, type FaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import {
  type RedisCluster,
  type RedisClusterNode,
  startRedisCluster,
} from '@lifeline/testkit/servers/redis-cluster'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redisLog } from '../src/index'
import { startClient, type TransportName } from './reader'
import { connectCluster } from './redis'

const run = promisify(execFile)
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

// One cluster for the file: starting one takes seconds. The failover test comes last, since
// it leaves a master without a replica.
let cluster: RedisCluster
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_000 })
})
afterAll(async () => {
  await cluster?.close()
})

/** One server instance: its own cluster client and log, and a hub on loopback. */
async function instance() {
  const client = await connectCluster(cluster)
  cleanups.push(() => client.destroy())
  const errors: unknown[] = []
  const log = redisLog({ client, timeout: 1_000, onError: (error) => errors.push(error) })
  cleanups.push(() => log.close())
  // The hub refuses connections while Redis fails over (503): told, not logged.
  const hub = createHub({ log, retry: 50, heartbeat: 1_000, onError: () => {} })
  const server = await startHubServer({ hub })
  cleanups.push(() => server.close({ timeout: 100 }))
  return { log, server, port: Number(new URL(server.url).port), errors }
}

const keyOf = (stream: string) => `lifeline:{${stream}}`

/** The connections a node holds for clients (neither replicas nor this query itself). */
async function clientConnections(port: number) {
  const { stdout } = await run('redis-cli', [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    'CLIENT',
    'LIST',
  ])
  return stdout
    .trim()
    .split('\n')
    .filter((line) => !line.includes('flags=S') && !line.includes('cmd=client|list')).length
}

/** Every entry Redis holds on `stream` now: its entry id and the data published. */
async function history(stream: string): Promise<{ entry: string; data: string }[]> {
  const client = await connectCluster(cluster)
  try {
    const raw = (await client.sendCommand(keyOf(stream), true, [
      'XRANGE',
      keyOf(stream),
      '-',
      '+',
    ])) as [string, string[]][]
    return raw.map(([entry, fields]) => ({ entry, data: fields[fields.indexOf('d') + 1]! }))
  } finally {
    client.destroy()
  }
}

describe('redisLog on a Redis Cluster', () => {
  it('spreads streams over every master, delivers each entry once in order to another instance, on a fixed set of connections per node', async () => {
    const [a, b] = [await instance(), await instance()]
    const streams = Array.from({ length: 60 }, (_, i) => `spread-${i}`)
    const seen = new Map(streams.map((stream) => [stream, [] as LogEntry[]]))
    for (const stream of streams)
      cleanups.push(a.log.subscribe(stream, (entry) => seen.get(stream)!.push(entry)))
    await Promise.all(streams.map((stream) => a.log.newest(stream)))
    const appended = new Map(streams.map((stream) => [stream, [] as LogEntry[]]))
    for (let round = 0; round < 3; round++)
      await Promise.all(
        streams.map(async (stream) => {
          appended.get(stream)!.push(await b.log.append(stream, { data: `${stream} ${round}` }))
        }),
      )
    // A read on A returns only once A's feed delivered up to what it read.
    for (const stream of streams) {
      const read = await a.log.readAfter(stream, appended.get(stream)![2]!.id, 10)
      expect(read).toEqual({ kind: 'entries', entries: [] })
      expect(seen.get(stream)).toEqual(appended.get(stream))
    }
    const masters = new Set(
      await Promise.all(
        streams.map(async (stream) => (await cluster.masterOf(keyOf(stream))).port),
      ),
    )
    expect(masters.size).toBe(3)
    // Per master: each instance's app client and command duplicate, A's wake-up connection.
    for (const port of masters) expect(await clientConnections(port)).toBeLessThanOrEqual(5)
    expect([...a.errors, ...b.errors]).toEqual([])
  })

  it('gives every client an exact resume, never a duplicate, when a master is killed mid-stream', async () => {
    const streams = Array.from({ length: 12 }, (_, i) => `failover-${i}`)
    const victim = await cluster.masterOf(keyOf(streams[0]!))
    const figures = await failover(streams, victim, { loseTail: false })
    console.log(
      `cluster failover figures (replica in sync): ${JSON.stringify({ ...figures, perClient: undefined })}`,
    )
    // No gap at all; when one comes, its reason says who dropped the resume point.
    expect(figures.gapReasons).toEqual({})
    expect(figures.lostInFailover).toBe(0)
    expect(figures.inRedis).toBe(figures.eventsPublished)
  }, 120_000)

  it('gives every client of a stream whose tail the promoted replica lacks exactly one gap, and no other client any', async () => {
    // A master that still has a replica (the test before left one without).
    const masters = new Map<number, string[]>()
    for (
      let i = 0;
      masters.size < 3 || [...masters.values()].some((names) => names.length < 4);
      i++
    ) {
      const stream = `tail-${i}`
      const port = (await cluster.masterOf(keyOf(stream))).port
      masters.set(port, [...(masters.get(port) ?? []), stream])
    }
    let victim: RedisClusterNode | undefined
    for (const node of cluster.nodes)
      if (masters.has(node.port) && (await cluster.replicasOf(node)).length > 0) victim = node
    if (victim === undefined) throw new Error('no master with a replica is left')
    const streams = [...masters.values()].flatMap((names) => names.slice(0, 4))
    const figures = await failover(streams, victim, { loseTail: true })
    console.log(
      `cluster failover figures (tail lost): ${JSON.stringify({ ...figures, perClient: undefined })}`,
    )
    const onVictim = new Set(masters.get(victim.port)!.slice(0, 4))
    for (const { stream, gaps } of figures.perClient)
      expect(gaps).toBe(onVictim.has(stream) ? 1 : 0)
    // Each of them the server's `reset` (the history is gone), none the client's own giving up.
    expect(figures.gapReasons).toEqual({ reset: 2 * onVictim.size })
    expect(figures.lostInFailover).toBeGreaterThan(0)
  }, 120_000)
})

/**
 * Two instances; on every stream a client that stays connected to A through the failover and
 * one whose connection is cut when `victim` dies, so that it comes back with its resume point.
 * B publishes rounds of one event per stream, each with its own idempotency key, retrying a
 * failed publish with it until it goes through (so Redis holds every event at most once).
 * With `loseTail`, the victim's replica is paused for the last rounds before the kill, so the
 * promoted replica lacks them. Checks every client against what Redis holds at the end.
 */
async function failover(
  streams: string[],
  victim: RedisClusterNode,
  options: { loseTail: boolean },
) {
  const [a, b] = [await instance(), await instance()]
  const readers = await Promise.all(
    streams.flatMap((stream, i) => {
      const transport: TransportName = i % 2 === 0 ? 'sse-fetch' : 'websocket'
      const open = async (through: 'direct' | 'proxy') => {
        let base = a.server.url
        let proxy: FaultProxy | undefined
        if (through === 'proxy') {
          proxy = await createFaultProxy({ upstream: { port: a.port } })
          cleanups.push(() => proxy?.close())
          base = `${proxy.url}/events`
        }
        const reader = startClient(`${base}?stream=${stream}`, transport)
        cleanups.push(() => reader.client.close())
        await reader.open()
        return { stream, reader, proxy }
      }
      return [open('direct'), open('proxy')]
    }),
  )
  const onVictim: string[] = []
  for (const stream of streams)
    if ((await cluster.masterOf(keyOf(stream))).port === victim.port) onVictim.push(stream)

  let acknowledged = 0
  let failedAttempts = 0
  const publish = async (stream: string, n: number) => {
    const data = `${stream} ${n}`
    for (const started = Date.now(); ; ) {
      try {
        await b.server.hub.publish(stream, { data }, { key: data })
        acknowledged++
        return
      } catch (error) {
        failedAttempts++
        if (Date.now() - started > 30_000) throw error
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  }
  const published = new Map(streams.map((stream) => [stream, 0]))
  const rounds = async (count: number, on = streams) => {
    for (let i = 0; i < count; i++)
      await Promise.all(
        on.map(async (stream) => {
          const n = published.get(stream)!
          published.set(stream, n + 1)
          await publish(stream, n)
        }),
      )
  }
  await rounds(20)
  if (options.loseTail) {
    const [replica] = await cluster.replicasOf(victim)
    // Paused, and cut off the master: what the master takes from now on stays in its own
    // backlog, not in a socket buffer the replica would read after the failover.
    replica?.pause()
    await run('redis-cli', ['-p', String(victim.port), 'CLIENT', 'KILL', 'TYPE', 'replica'])
    await rounds(3, onVictim)
    // Delivered: the clients have seen the events the failover is about to lose.
    for (const { stream, reader } of readers)
      if (onVictim.includes(stream))
        await reader.received(`${stream} ${published.get(stream)! - 1}`)
    await victim.kill()
    replica?.resume()
  } else await victim.kill()
  const killedAt = Date.now()
  for (const { proxy } of readers) proxy?.cutAll()
  await rounds(10)
  const recoveredAfter = Date.now() - killedAt
  await cluster.settled()
  await rounds(20)

  const entries = new Map(
    await Promise.all(streams.map(async (stream) => [stream, await history(stream)] as const)),
  )
  const histories = new Map(
    [...entries].map(([stream, held]) => [stream, held.map((entry) => entry.data)] as const),
  )
  for (const { stream, reader } of readers) {
    const last = entries.get(stream)!.at(-1)!.entry
    // Caught up: the newest event arrived, or (reset after the last publish) the client was
    // placed at it.
    await reader.until(`${stream}: caught up`, () => {
      const at = reader.client.connection.lastEventId
      return at !== undefined && at.slice(at.indexOf(':') + 1) === last
    })
  }

  let lostInFailover = 0
  let failedResumeAttempts = 0
  const gapReasons: Record<string, number> = {}
  const perClient: { stream: string; gaps: number; resumes: number }[] = []
  for (const { stream, reader, proxy } of readers) {
    for (const { reason } of reader.gaps) {
      const why = 'message' in reason ? `${reason.kind}: ${reason.message}` : reason.kind
      gapReasons[why] = (gapReasons[why] ?? 0) + 1
    }
    // The hub refuses a resume while it cannot read the stream (SSE 503, WebSocket 1013).
    if (proxy !== undefined) failedResumeAttempts += reader.failures()
    const held = histories.get(stream)!
    // At most once in Redis: the publisher's keys.
    expect(new Set(held).size).toBe(held.length)
    const ids = reader.events.map((event) => event.id)
    expect(new Set(ids).size).toBe(ids.length)
    const data = reader.events.map((event) => event.data)
    expect(reader.gaps.length).toBeLessThanOrEqual(1)
    perClient.push({ stream, gaps: reader.gaps.length, resumes: reader.resumes.length })
    // A cut connection came back: it resumed, or its place was lost and it heard so.
    if (proxy !== undefined) expect(reader.resumes.length + reader.gaps.length).toBeGreaterThan(0)
    if (reader.gaps.length === 0) {
      // An exact resume (or none needed): everything Redis holds, in its order.
      expect(data).toEqual(held)
      continue
    }
    const at = reader.gapsAt[0]!
    const before = data.slice(0, at)
    const after = data.slice(at)
    // Before the gap: Redis's history from its start, then events the promoted replica
    // never got; after it: the rest of Redis's history, in order, to its end.
    const kept = before.filter((value) => held.includes(value)).length
    expect(before.slice(0, kept)).toEqual(held.slice(0, kept))
    lostInFailover = Math.max(lostInFailover, before.length - kept)
    expect(after).toEqual(held.slice(held.length - after.length))
  }
  const sum = (pick: (client: (typeof perClient)[number]) => number) =>
    perClient.reduce((total, client) => total + pick(client), 0)
  return {
    clients: readers.length,
    streams: streams.length,
    streamsOnKilledMaster: onVictim.length,
    eventsPublished: [...published.values()].reduce((total, n) => total + n, 0),
    eventsAcknowledged: acknowledged,
    publishAttemptsFailed: failedAttempts,
    inRedis: [...histories.values()].reduce((total, held) => total + held.length, 0),
    resumes: sum((client) => client.resumes),
    failedResumeAttempts,
    gaps: sum((client) => client.gaps),
    gapReasons,
    lostInFailover,
    publishRecoveredAfterMs: recoveredAfter,
    perClient,
  }
}
