import type { RedisCluster } from '@lifeline/testkit/servers/redis-cluster'
import { type RedisServer, startRedisServer } from '@lifeline/testkit/servers/redis-server'
import { createClient, createCluster } from 'redis'
import { afterAll, afterEach, beforeAll } from 'vitest'

/** A connected node-redis client that retries fast, as tests want after a restart. */
export async function connect(redis: Pick<RedisServer, 'url'>) {
  const client = createClient({
    url: redis.url,
    socket: { reconnectStrategy: (retries) => Math.min(20 * 2 ** retries, 200) },
  })
  client.on('error', () => {})
  await client.connect()
  return client
}

export type Client = Awaited<ReturnType<typeof connect>>

/** A connected node-redis cluster client whose node connections retry fast. */
export async function connectCluster(cluster: Pick<RedisCluster, 'rootNodes'>) {
  const client = createCluster({
    rootNodes: cluster.rootNodes,
    defaults: { socket: { reconnectStrategy: (retries) => Math.min(20 * 2 ** retries, 200) } },
  })
  client.on('error', () => {})
  client.on('node-error', () => {})
  await client.connect()
  return client
}

export { type RedisServer, startRedisServer }

const BOUND_MS = 5_000

/** Resolves once `check()` holds, polling on a short interval; rejects after a bound. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + BOUND_MS
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${BOUND_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Resolves once `client` is connected and ready again (after a Redis restart). */
export function ready(client: Client): Promise<void> {
  if (client.isReady) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('client not ready again in time')), BOUND_MS)
    client.once('ready', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/**
 * One Redis server and one connected client for a whole test file, stream names no other
 * test of the file uses, and `cleanups` run after each test, last registered first. Call
 * at the top level of the file.
 */
export function redisPerFile(streamPrefix: string) {
  let redis: RedisServer | undefined
  let client: Client | undefined
  const cleanups: Array<() => unknown> = []
  let streams = 0
  beforeAll(async () => {
    redis = await startRedisServer()
    client = await connect(redis)
  })
  afterAll(async () => {
    await client?.close()
    await redis?.close()
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('redisPerFile: used before beforeAll ran')
    return value
  }
  return {
    get redis() {
      return started(redis)
    },
    get client() {
      return started(client)
    },
    cleanups,
    /** A stream name no other test of the file uses. */
    fresh: () => `${streamPrefix}${++streams}`,
  }
}
