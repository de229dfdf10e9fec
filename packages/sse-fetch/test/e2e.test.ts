import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createClient } from '@lifeline/core'
import { createHub } from '@lifeline/server'
import { nextConnectionEvent, record } from '@lifeline/testkit/scenario/client-recorder'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { closeServer, listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { createSocketTracker } from '@lifeline/testkit/wire/socket-tracker'
import { afterEach, describe, expect, it } from 'vitest'
import { sseFetch } from '../src/index'

function resumePointOf(req: IncomingMessage): string | undefined {
  const value = req.headers['last-event-id']
  return Array.isArray(value) ? value.join(', ') : value
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler)
  const port = await listenOnLoopback(server)
  cleanups.push(() => closeServer(server))
  return `http://127.0.0.1:${port}/events`
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('sse-fetch end to end with @lifeline/server', () => {
  it('resumes across a server-side connection drop with no loss and no duplicate', async () => {
    const hubServer = await startHubServer({ hubOptions: { retry: 50 } })
    cleanups.push(() => hubServer.close())
    const sockets = createSocketTracker()
    hubServer.server.on('connection', sockets.track)
    const client = createClient({
      url: hubServer.url,
      transports: [sseFetch()],
      backoff: { initial: 20, max: 100 },
    })
    cleanups.push(() => client.close())
    const seen = record(client)

    await nextConnectionEvent(client, 'state', ({ to }) => to === 'open')
    for (let i = 1; i <= 5; i++) await hubServer.hub.publish('events', { data: `e${i}` })
    await seen.until(() => seen.events.length >= 5, '5 events')

    const resumed = nextConnectionEvent(client, 'resumed')
    sockets.destroyAll()
    // Published while the client is away: they must come back as replay.
    for (let i = 6; i <= 10; i++) await hubServer.hub.publish('events', { data: `e${i}` })
    expect(await resumed).toEqual({ replayed: 5 })
    await seen.until(() => seen.events.length >= 10, '10 events')

    expect(seen.events.map((e) => e.data)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `e${i}`),
    )
    expect(new Set(seen.events.map((e) => e.id)).size).toBe(10)
    expect(seen.events.every((e) => e.transport === 'sse-fetch')).toBe(true)
    expect(seen.gaps).toEqual([])
  })

  it('recovers from 500 on every resume by dropping the resume point, with one gap', async () => {
    const hub = createHub({ retry: 50 })
    const resumePoints: Array<string | undefined> = []
    const url = await listen((req, res) => {
      const lastEventId = resumePointOf(req)
      resumePoints.push(lastEventId)
      if (lastEventId !== undefined) res.writeHead(500).end()
      else hub.sse(req, res, { stream: 'events' })
    })
    cleanups.push(() => hub.close())
    const client = createClient({
      url,
      transports: [sseFetch()],
      lastEventId: '7',
      backoff: { initial: 20, max: 50 },
    })
    cleanups.push(() => client.close())
    const seen = record(client)

    await nextConnectionEvent(client, 'gap')
    await nextConnectionEvent(client, 'state', ({ to }) => to === 'open')
    await hub.publish('events', { data: 'after the gap' })
    await seen.until(() => seen.events.length >= 1, 'the first event')

    expect(seen.gaps).toHaveLength(1)
    expect(resumePoints).toEqual(['7', '7', undefined])
    expect(seen.events.map((e) => e.data)).toEqual(['after the gap'])
  })

  it('recovers from a server that never answers a resume, releasing every attempt', async () => {
    const hub = createHub({ retry: 50 })
    const held: Array<Promise<unknown>> = []
    const resumePoints: Array<string | undefined> = []
    const url = await listen((req, res) => {
      const lastEventId = resumePointOf(req)
      resumePoints.push(lastEventId)
      // Never answered: only the client's abort ends this response.
      if (lastEventId !== undefined) held.push(once(res, 'close'))
      else hub.sse(req, res, { stream: 'events' })
    })
    cleanups.push(() => hub.close())
    const client = createClient({
      url,
      transports: [sseFetch()],
      lastEventId: '7',
      connectTimeout: 300,
      backoff: { initial: 20, max: 50 },
    })
    cleanups.push(() => client.close())
    const seen = record(client)

    await nextConnectionEvent(client, 'gap')
    await nextConnectionEvent(client, 'state', ({ to }) => to === 'open')

    expect(seen.gaps).toHaveLength(1)
    expect(resumePoints).toEqual(['7', '7', undefined])
    // Each timed-out attempt was aborted, and sse-fetch let its socket go.
    await Promise.all(held)
  })

  it("reconnects at once on the article's close event, resuming, without backoff", async () => {
    const requests: Array<string | undefined> = []
    const url = await listen((req, res) => {
      requests.push(resumePointOf(req))
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      if (requests.length === 1)
        res.end('id: 1\ndata: hello\n\nevent: close\ndata: Connection closed\n\n')
      else res.write('id: 2\ndata: again\n\n')
    })
    const client = createClient({
      url,
      transports: [sseFetch()],
      // A backoff would wait 10 s (random pinned to the top of the jitter): far past the bound.
      backoff: { initial: 10_000, max: 30_000 },
      environment: { random: () => 0.999 },
    })
    cleanups.push(() => client.close())
    const seen = record(client)

    await seen.until(() => seen.events.length >= 2, '2 events')

    expect(seen.events.map((e) => e.data)).toEqual(['hello', 'again'])
    expect(requests).toEqual([undefined, '1'])
    expect(seen.retries).toEqual([])
  })

  it('refreshes the auth header after a 401 and streams', async () => {
    const hub = createHub({ retry: 50 })
    const authorizations: Array<string | undefined> = []
    const url = await listen((req, res) => {
      authorizations.push(req.headers.authorization)
      if (req.headers.authorization !== 'Bearer fresh') res.writeHead(401).end()
      else hub.sse(req, res, { stream: 'events' })
    })
    cleanups.push(() => hub.close())
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
    const seen = record(client)

    await nextConnectionEvent(client, 'state', ({ to }) => to === 'open')
    await hub.publish('events', { data: 'authorised' })
    await seen.until(() => seen.events.length >= 1, 'the first event')

    expect(authorizations).toEqual(['Bearer expired', 'Bearer fresh'])
    expect(seen.events.map((e) => e.data)).toEqual(['authorised'])
    expect(seen.gaps).toEqual([])
  })
})
