import { createServer, type IncomingMessage } from 'node:http'
import {
  type Client,
  type ConnectionEvents,
  createClient,
  type LifelineError,
} from '@lifeline/core'
import { longPoll } from '@lifeline/long-poll'
import { sseFetch } from '@lifeline/sse-fetch'
import { record } from '@lifeline/testkit/scenario/client-recorder'
import { until } from '@lifeline/testkit/wait'
import { closeServer, listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { websocket } from '@lifeline/websocket'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'

// Issue 15: what a rogue or misconfigured server must not do to a client. Each of these
// failed on the client before the hardening: a stack overflow building the header, a hello
// over the server's limit forever, a request per millisecond, retries with dead credentials.

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const FAST = { backoff: { initial: 20, max: 100 }, environment: { random: () => 0.5 } }

function track(client: Client) {
  cleanups.push(() => client.close())
  const errors: LifelineError[] = []
  const gaps: ConnectionEvents['gap'][] = []
  client.connection.on('error', (error) => errors.push(error))
  client.connection.on('gap', (gap) => gaps.push(gap))
  return { errors, gaps, seen: record(client) }
}

/** An HTTP server that answers each request with what `answer` returns, counting them. */
async function httpServer(
  answer: (req: IncomingMessage, n: number) => { status?: number; body?: string },
) {
  const requests: IncomingMessage[] = []
  const server = createServer((req, res) => {
    requests.push(req)
    const { status = 200, body = '' } = answer(req, requests.length)
    res.writeHead(status, status === 200 ? { 'content-type': 'text/event-stream' } : {})
    res.end(body)
  })
  const port = await listenOnLoopback(server)
  cleanups.push(() => closeServer(server))
  return { url: `http://127.0.0.1:${port}/events`, requests }
}

describe('issue 15, item 3: one bad id does not break the client', () => {
  it('sse-fetch: a 70,000-character non-ASCII id is delivered, never sent back, and the stream goes on', async () => {
    const long = 'é'.repeat(70_000)
    const server = await httpServer((_req, n) => ({
      body: n === 1 ? `id: ${long}\ndata: rogue\n\n` : `id: fresh-${n}\ndata: ok\n\n`,
    }))
    const client = createClient({ url: server.url, transports: [sseFetch()], ...FAST })
    const { errors, gaps, seen } = track(client)
    await seen.until(
      () => seen.events.some((event) => event.data === 'ok'),
      'an event after the rogue one',
    )
    expect(seen.events[0]?.data).toBe('rogue')
    expect(gaps).toHaveLength(1)
    // The reconnect carried no resume point at all: nothing was too long to send.
    expect(server.requests[1]?.headers['last-event-id']).toBeUndefined()
    expect(errors.filter((error) => error.code !== 'connection')).toEqual([])
  })

  it('websocket: a 5,000-character id never makes a hello over the server limit', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 4 * 1024 })
    const hellos: string[] = []
    wss.on('connection', (socket) => {
      socket.on('error', () => {})
      socket.once('message', (data) => {
        hellos.push(String(data))
        socket.send(': ok\n\n')
        // The first connection's last id is the rogue one: the resume point it would leave.
        socket.send(`id: ws-${hellos.length}\ndata: ok\n\n`)
        if (hellos.length === 1) socket.send(`id: ${'x'.repeat(5_000)}\ndata: rogue\n\n`)
        socket.close(1000)
      })
    })
    await new Promise((resolve) => wss.once('listening', resolve))
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)))
    const { port } = wss.address() as { port: number }
    const client = createClient({
      url: `http://127.0.0.1:${port}/events`,
      transports: [websocket({ WebSocket })],
      ...FAST,
    })
    const { seen } = track(client)
    await seen.until(() => hellos.length >= 3, 'two reconnects')
    // A hello over 4 KiB would have been closed 1009 before it reached the handler.
    expect(hellos.every((hello) => hello.length < 1_024)).toBe(true)
    // The id too long to keep was dropped (a gap): the next hello starts fresh.
    expect(JSON.parse(hellos[1] as string)).toEqual({ type: 'hello' })
  })
})

describe('issue 15, item 5: a server that answers every request at once is not hammered', () => {
  it.each([
    ['the plain-text close event', 'event: close\ndata: Connection closed\n\n'],
    ['retry: 0 and an end', 'retry: 0\n\n'],
  ])('%s: a handful of requests in two seconds, not thousands', async (_label, body) => {
    const server = await httpServer(() => ({ body }))
    // The default backoff (1 s first step): what an app gets without tuning anything.
    const client = createClient({
      url: server.url,
      transports: [sseFetch()],
      environment: { random: () => 0.5 },
    })
    track(client)
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    expect(server.requests.length).toBeGreaterThanOrEqual(2)
    expect(server.requests.length).toBeLessThanOrEqual(6)
  })
})

describe('issue 15: credentials refused twice are final, on every adapter that can tell', () => {
  const transports = {
    'sse-fetch': () => sseFetch(),
    'long-poll': () => longPoll(),
  }
  for (const [name, transport] of Object.entries(transports)) {
    it(`${name}: one more try with fresh headers, then closed with unauthorized`, async () => {
      const server = await httpServer(() => ({ status: 401 }))
      let resolved = 0
      const client = createClient({
        url: server.url,
        transports: [transport()],
        headers: () => ({ authorization: `Bearer t${++resolved}` }),
        ...FAST,
      })
      const { errors } = track(client)
      await until(() => client.connection.state === 'closed', 'the client to close')
      expect(server.requests.map((req) => req.headers.authorization)).toEqual([
        'Bearer t1',
        'Bearer t2',
      ])
      expect(errors.map((error) => [error.code, error.reason])).toEqual([
        ['unauthorized', { kind: 'http', status: 401 }],
      ])
    })
  }

  it('websocket (Node, ws): a 403 upgrade twice closes the client with unauthorized', async () => {
    let upgrades = 0
    const server = createServer()
    server.on('upgrade', (_req, socket) => {
      upgrades++
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    })
    const port = await listenOnLoopback(server)
    cleanups.push(() => closeServer(server))
    const client = createClient({
      url: `http://127.0.0.1:${port}/events`,
      transports: [websocket({ WebSocket })],
      ...FAST,
    })
    const { errors } = track(client)
    await until(() => client.connection.state === 'closed', 'the client to close')
    expect(upgrades).toBe(2)
    expect(errors.map((error) => error.code)).toEqual(['unauthorized'])
  })
})
