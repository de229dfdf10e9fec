import { type RedisServer, startRedisServer } from '@lifeline/testkit/redis-server'
import { createClient } from 'redis'

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
