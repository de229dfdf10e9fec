// @ts-check
import http from 'node:http'
import { createHub } from '@lifeline/server'

/**
 * Node's own `http`: `hub.sse` answers the stream, `hub.attach` serves WebSocket upgrades on
 * the same path, and `POST /publish` publishes its body.
 *
 * @param {number} port 0 lets the OS choose
 */
export async function start(port) {
  const hub = createHub()
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    if (pathname === '/events') return hub.sse(req, res, { stream: 'prices' })
    if (pathname === '/publish' && req.method === 'POST') {
      let data = ''
      for await (const chunk of req) data += chunk
      const id = await hub.publish('prices', { type: 'price', data })
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id }))
    }
    res.writeHead(404).end()
  })
  hub.attach(server, { path: '/events', stream: 'prices' })
  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)))
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
