// @ts-check
// `npm start`: the example on PORT (default 8080), with the in-memory log, or with
// REDIS_URL set on Redis Streams, so several instances serve the same answers.
import { redisLog } from '@lifeline/redis'
import { createClient } from 'redis'
import { start } from './server.mjs'

const { PORT = '8080', REDIS_URL } = process.env
const redis = REDIS_URL === undefined ? undefined : await createClient({ url: REDIS_URL }).connect()
const log = redis === undefined ? undefined : redisLog({ client: redis })
const example = await start(Number(PORT), { log })
console.log(
  `ask: node ask.mjs "why SSE?"   (PORT=${example.port}${log ? `, Redis ${REDIS_URL}` : ''})`,
)
process.once('SIGINT', async () => {
  await example.close()
  await log?.close()
  await redis?.close()
  process.exit(0)
})
