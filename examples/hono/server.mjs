// @ts-check
import { serve } from '@hono/node-server'
import { createHub } from '@lifeline/server'
import { Hono } from 'hono'

/**
 * Hono hands a handler the Web `Request` (`c.req.raw`) and takes a `Response`, which is what
 * `hub.fetch` returns. On Node (`@hono/node-server`) the server `serve` returns takes the
 * WebSocket upgrades through `hub.attach`.
 *
 * @param {number} port 0 lets the OS choose
 */
export async function start(port) {
  const hub = createHub()
  const app = new Hono()
  app.get('/events', (c) => hub.fetch(c.req.raw, { stream: 'prices' }))
  app.post('/publish', async (c) => {
    const id = await hub.publish('prices', { type: 'price', data: await c.req.text() })
    return c.json({ id })
  })
  /** @type {import('@hono/node-server').ServerType} */
  const server = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(started))
  })
  hub.attach(/** @type {import('node:http').Server} */ (server), {
    path: '/events',
    stream: 'prices',
  })
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const origin = `http://127.0.0.1:${address.port}`
  return {
    hub,
    url: `${origin}/events`,
    publishUrl: `${origin}/publish`,
    async close() {
      await hub.close()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    },
  }
}
