// @ts-check
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import { createHub } from '@lifeline/server'
import { simulatedModel } from './model.mjs'

/** The stream of one answer: one per answer, so a reload replays that answer alone. */
const streamOf = (/** @type {string} */ id) => `answer:${id}`
const ANSWER_PATH = /^\/answers\/([0-9a-f-]{36})(\/events|\/stop)$/

/**
 * Publishes with an idempotency key, retrying a failure (Redis away for a moment): with the
 * key a retried publish is stored once, so the client sees every token exactly once.
 *
 * @param {import('@lifeline/server').Hub} hub
 * @param {string} stream
 * @param {import('@lifeline/server').NewEvent} event
 * @param {string} key
 */
async function publishOnce(hub, stream, event, key) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await hub.publish(stream, event, { key })
    } catch (error) {
      if (attempt === 5) throw error
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
    }
  }
}

/**
 * Resumable AI answers: `POST /answers` (the prompt as text) starts a simulated model that
 * streams its tokens into the answer's own stream and answers `{ id, events }`;
 * `GET /answers/<id>/events` serves that stream over SSE and WebSocket; `POST
 * /answers/<id>/stop` stops the answer. Either way the answer ends with a `done` event
 * (`{"reason":"complete"}` or `{"reason":"stopped"}`) and `hub.end`: the close event
 * `{"reconnect":false}`, so clients stop instead of reconnecting. The model runs apart from
 * any connection: a client that drops, reloads or lands on another instance misses nothing.
 *
 * @param {number} port 0 lets the OS choose
 * @param {{ log?: import('@lifeline/server').EventLog | undefined, tokenDelayMs?: number }} [options]
 *   `log`: share answers between instances (`redisLog`); `tokenDelayMs`: the model's pace
 */
export async function start(port, options = {}) {
  const hub = createHub(options.log === undefined ? {} : { log: options.log })
  const delayMs = options.tokenDelayMs ?? 60
  /** Answers this instance is writing, to stop them. */
  const running = new Map()
  /** @type {Promise<void>[]} */
  const writing = []

  /** @param {string} id @param {string} prompt */
  const answer = async (id, prompt) => {
    const stop = new AbortController()
    running.set(id, stop)
    const stream = streamOf(id)
    let index = 0
    try {
      for await (const token of simulatedModel(prompt, { delayMs, signal: stop.signal }))
        await publishOnce(hub, stream, { type: 'token', data: token }, `token-${index++}`)
      const reason = stop.signal.aborted ? 'stopped' : 'complete'
      await publishOnce(hub, stream, { type: 'done', data: JSON.stringify({ reason }) }, 'done')
      await hub.end(stream)
    } finally {
      running.delete(id)
    }
  }

  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    const json = (/** @type {number} */ status, /** @type {unknown} */ body) =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (pathname === '/answers' && req.method === 'POST') {
      let prompt = ''
      for await (const chunk of req) prompt += chunk
      const id = randomUUID()
      writing.push(answer(id, prompt).catch((error) => console.error('answer failed', error)))
      return json(200, { id, events: `/answers/${id}/events` })
    }
    const match = ANSWER_PATH.exec(pathname)
    if (match?.[2] === '/events') return hub.sse(req, res, { stream: streamOf(match[1] ?? '') })
    if (match?.[2] === '/stop' && req.method === 'POST') {
      const stop = running.get(match[1])
      // Another instance may be writing it: a shared deployment routes the stop there (or
      // publishes a stop request the writer listens for); this example keeps it local.
      if (stop === undefined) return json(404, { error: 'no such running answer here' })
      stop.abort()
      return json(202, { stopping: match[1] })
    }
    res.writeHead(404).end()
  })
  server.on('upgrade', (req, socket, head) => {
    const match = ANSWER_PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname)
    if (match?.[2] !== '/events') return void socket.end('HTTP/1.1 404 Not Found\r\n\r\n')
    hub.handleUpgrade(req, socket, head, { stream: streamOf(match[1] ?? '') })
  })
  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const origin = `http://127.0.0.1:${address.port}`
  return {
    hub,
    origin,
    port: address.port,
    /** Stops every answer this instance writes, then the hub and the server. */
    async close() {
      for (const stop of running.values()) stop.abort()
      await Promise.allSettled(writing)
      await hub.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    },
  }
}
