// @ts-check
import { createHub } from '@lifeline/server'
import express from 'express'

/**
 * Express passes Node's request and response through, so `hub.sse` serves the route as it
 * is; the server `app.listen` returns takes the WebSocket upgrades. No compression
 * middleware before the route: it would buffer the stream.
 *
 * @param {number} port 0 lets the OS choose
 */
export async function start(port) {
  const hub = createHub()
  const app = express()
  app.get('/events', (req, res) =>
    hub.sse(req, res, { stream: String(req.query.room ?? 'prices') }),
  )
  app.post('/publish', express.text(), async (req, res) => {
    const id = await hub.publish(String(req.query.room ?? 'prices'), {
      type: 'price',
      data: req.body,
    })
    res.json({ id })
  })
  const server = await new Promise((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening))
  })
  hub.attach(server, {
    path: '/events',
    stream: (req) =>
      new URL(req.url ?? '/', 'http://localhost').searchParams.get('room') ?? 'prices',
  })
  const origin = `http://127.0.0.1:${server.address().port}`
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
