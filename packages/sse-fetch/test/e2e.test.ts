import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { type Client, type ConnectionEvents, createClient, type StreamEvent } from '@lifeline/core'
import { createHub } from '@lifeline/server'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { afterEach, describe, expect, it } from 'vitest'
import { sseFetch } from '../src/index'

const BOUND_MS = 5_000

/** Resolves when `subscribe` calls back with a value that passes; rejects after a bound. */
function until<T>(
  what: string,
  subscribe: (listener: (value: T) => void) => () => void,
  accept: (value: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop()
      reject(new Error(`${what} did not happen within ${BOUND_MS} ms`))
    }, BOUND_MS)
    const stop = subscribe((value) => {
      if (!accept(value)) return
      clearTimeout(timer)
      stop()
      resolve(value)
    })
  })
}

/** Every event the client emits to `'*'`, and a way to wait for the n-th. */
function collect(client: Client) {
  const events: StreamEvent[] = []
  const waiters = new Set<() => void>()
  client.on('*', (_type, event) => {
    events.push(event)
    for (const wake of waiters) wake()
  })
  const count = (n: number) =>
    until<void>(`event #${n}`, (listener) => {
      const check = () => {
        if (events.length >= n) listener()
      }
      waiters.add(check)
      queueMicrotask(check)
      return () => waiters.delete(check)
    })
  return { events, count }
}

function on<K extends keyof ConnectionEvents>(
  client: Client,
  name: K,
  accept?: (value: ConnectionEvents[K]) => boolean,
) {
  return until<ConnectionEvents[K]>(
    name,
    (listener) => {
      client.connection.on(name, listener)
      return () => client.connection.off(name, listener)
    },
    accept,
  )
}

function resumePointOf(req: IncomingMessage): string | undefined {
  const value = req.headers['last-event-id']
  return Array.isArray(value) ? value.join(', ') : value
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler)
  const port = await listenOnLoopback(server)
  return { server, url: `http://127.0.0.1:${port}/events` }
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function closeServer(server: Server) {
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
}

describe('sse-fetch end to end with @lifeline/server', () => {
  it('resumes across a server-side connection drop with no loss and no duplicate', async () => {
    const hubServer = await startHubServer({ hubOptions: { retry: 50 } })
    cleanups.push(() => hubServer.close())
    const sockets = new Set<Socket>()
    hubServer.server.on('connection', (socket: Socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    const client = createClient({
      url: hubServer.url,
      transports: [sseFetch()],
      backoff: { initial: 20, max: 100 },
    })
    cleanups.push(() => client.close())
    const { events, count } = collect(client)
    const gaps: unknown[] = []
    client.connection.on('gap', (gap) => gaps.push(gap))

    await on(client, 'state', ({ to }) => to === 'open')
    for (let i = 1; i <= 5; i++) await hubServer.hub.publish('events', { data: `e${i}` })
    await count(5)

    const resumed = on(client, 'resumed')
    for (const socket of sockets) socket.destroy()
    // Published while the client is away: they must come back as replay.
    for (let i = 6; i <= 10; i++) await hubServer.hub.publish('events', { data: `e${i}` })
    expect(await resumed).toEqual({ replayed: 5 })
    await count(10)

    expect(events.map((e) => e.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `e${i}`))
    expect(new Set(events.map((e) => e.id)).size).toBe(10)
    expect(events.every((e) => e.transport === 'sse-fetch')).toBe(true)
    expect(gaps).toEqual([])
  })

  it('recovers from 500 on every resume by dropping the resume point, with one gap', async () => {
    const hub = createHub({ retry: 50 })
    const resumePoints: Array<string | undefined> = []
    const { server, url } = await listen((req, res) => {
      const lastEventId = resumePointOf(req)
      resumePoints.push(lastEventId)
      if (lastEventId !== undefined) res.writeHead(500).end()
      else hub.sse(req, res, { stream: 'events' })
    })
    cleanups.push(closeServer(server), () => hub.close())
    const client = createClient({
      url,
      transports: [sseFetch()],
      lastEventId: '7',
      backoff: { initial: 20, max: 50 },
    })
    cleanups.push(() => client.close())
    const gaps: unknown[] = []
    client.connection.on('gap', (gap) => gaps.push(gap))
    const { events, count } = collect(client)

    await on(client, 'gap')
    await on(client, 'state', ({ to }) => to === 'open')
    await hub.publish('events', { data: 'after the gap' })
    await count(1)

    expect(gaps).toHaveLength(1)
    expect(resumePoints).toEqual(['7', '7', undefined])
    expect(events.map((e) => e.data)).toEqual(['after the gap'])
  })

  it('recovers from a server that never answers a resume, releasing every attempt', async () => {
    const hub = createHub({ retry: 50 })
    const held: Array<Promise<unknown>> = []
    const resumePoints: Array<string | undefined> = []
    const { server, url } = await listen((req, res) => {
      const lastEventId = resumePointOf(req)
      resumePoints.push(lastEventId)
      // Never answered: only the client's abort ends this response.
      if (lastEventId !== undefined) held.push(once(res, 'close'))
      else hub.sse(req, res, { stream: 'events' })
    })
    cleanups.push(closeServer(server), () => hub.close())
    const client = createClient({
      url,
      transports: [sseFetch()],
      lastEventId: '7',
      connectTimeout: 300,
      backoff: { initial: 20, max: 50 },
    })
    cleanups.push(() => client.close())
    const gaps: unknown[] = []
    client.connection.on('gap', (gap) => gaps.push(gap))

    await on(client, 'gap')
    await on(client, 'state', ({ to }) => to === 'open')

    expect(gaps).toHaveLength(1)
    expect(resumePoints).toEqual(['7', '7', undefined])
    // Each timed-out attempt was aborted, and sse-fetch let its socket go.
    await Promise.all(held)
  })

  it("reconnects at once on the article's close event, resuming, without backoff", async () => {
    const requests: Array<string | undefined> = []
    const { server, url } = await listen((req, res) => {
      requests.push(resumePointOf(req))
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      if (requests.length === 1)
        res.end('id: 1\ndata: hello\n\nevent: close\ndata: Connection closed\n\n')
      else res.write('id: 2\ndata: again\n\n')
    })
    cleanups.push(closeServer(server))
    const retries: number[] = []
    const client = createClient({
      url,
      transports: [sseFetch()],
      // A backoff would wait 10 s (random pinned to the top of the jitter): far past the bound.
      backoff: { initial: 10_000, max: 30_000 },
      environment: { random: () => 0.999 },
    })
    cleanups.push(() => client.close())
    client.connection.on('retry', ({ ms }) => retries.push(ms))
    const { events, count } = collect(client)

    await count(2)

    expect(events.map((e) => e.data)).toEqual(['hello', 'again'])
    expect(requests).toEqual([undefined, '1'])
    expect(retries).toEqual([])
  })

  it('refreshes the auth header after a 401 and streams', async () => {
    const hub = createHub({ retry: 50 })
    const seen: Array<string | undefined> = []
    const { server, url } = await listen((req, res) => {
      seen.push(req.headers.authorization)
      if (req.headers.authorization !== 'Bearer fresh') res.writeHead(401).end()
      else hub.sse(req, res, { stream: 'events' })
    })
    cleanups.push(closeServer(server), () => hub.close())
    let token = 'expired'
    const client = createClient({
      url,
      transports: [sseFetch()],
      headers: async () => ({ authorization: `Bearer ${token}` }),
      backoff: { initial: 20, max: 50 },
    })
    cleanups.push(() => client.close())
    client.connection.on('state', ({ reason }) => {
      if (reason?.kind === 'http' && reason.status === 401) token = 'fresh'
    })
    const gaps: unknown[] = []
    client.connection.on('gap', (gap) => gaps.push(gap))
    const { events, count } = collect(client)

    await on(client, 'state', ({ to }) => to === 'open')
    await hub.publish('events', { data: 'authorised' })
    await count(1)

    expect(seen).toEqual(['Bearer expired', 'Bearer fresh'])
    expect(events.map((e) => e.data)).toEqual(['authorised'])
    expect(gaps).toEqual([])
  })
})
