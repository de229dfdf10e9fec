// @ts-check
import { createHub } from '@lifeline/server'
import Fastify from 'fastify'

/**
 * Fastify hands over its raw Node objects once the reply is hijacked; `fastify.server` is
 * the Node server, so `hub.attach` takes the WebSocket upgrades on the same path.
 *
 * @param {number} port 0 lets the OS choose
 */
export async function start(port) {
  const hub = createHub()
  const fastify = Fastify()
  fastify.get('/events', (request, reply) => {
    reply.hijack()
    hub.sse(request.raw, reply.raw, { stream: 'prices' })
  })
  fastify.post('/publish', async (request) => {
    const id = await hub.publish('prices', { type: 'price', data: String(request.body) })
    return { id }
  })
  hub.attach(fastify.server, { path: '/events', stream: 'prices' })
  const origin = await fastify.listen({ port, host: '127.0.0.1' })
  return {
    hub,
    url: `${origin}/events`,
    publishUrl: `${origin}/publish`,
    async close() {
      await hub.close()
      await fastify.close()
    },
  }
}
