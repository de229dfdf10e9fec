import { createServer } from 'node:http'
import { createHub, type HubOptions } from '@lifeline/server'
import { hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { openRawHttp, rawGet } from '@lifeline/testkit/wire/raw-http'
import { positionsOf } from '@lifeline/testkit/wire/raw-pipe'
import { openRawSse } from '@lifeline/testkit/wire/raw-sse-reader'
import { describe, expect, it } from 'vitest'

const startServer = hubServersPerTest()
const start = (sse: 'node' | 'fetch', hubOptions: HubOptions = {}) =>
  startServer({ sse, hubOptions })

describe('the Web fetch handler', () => {
  it('streams the same bytes as the Node one', async () => {
    const hub = createHub()
    const node = await startServer({ hub })
    const web = await startServer({ hub, sse: 'fetch' })
    const ids: string[] = []
    for (let i = 0; i < 5; i++)
      ids.push(await hub.publish('events', { type: i % 2 ? 'odd' : 'message', data: `a\nb ${i}` }))
    const readers = await Promise.all(
      [node, web].map((server) => openRawSse(server.url, { lastEventId: ids[1] })),
    )
    await Promise.all(readers.map((r) => r.waitFor((items) => positionsOf(items).length > 0)))
    await hub.publish('events', { data: 'live' })
    await Promise.all(readers.map((r) => r.waitForEvents(4)))
    const [fromNode, fromWeb] = readers.map((r) => r.text)
    expect(fromWeb).toBe(fromNode)
    expect(fromNode).toContain(`id: ${ids[2]}\ndata: a\ndata: b 2\n\n`)
    expect(readers[1]!.headers.get('content-type')).toBe(readers[0]!.headers.get('content-type'))
    for (const reader of readers) reader.close()
  })

  it('releases the subscriber when the body is cancelled', async () => {
    const hub = createHub()
    const response = hub.fetch(new Request('http://localhost/events'), { stream: 's' })
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    const { value } = await reader.read()
    expect(new TextDecoder().decode(value)).toBe('retry: 1000\n\n')
    expect(hub.stats().clients).toBe(1)
    await reader.cancel()
    expect(hub.stats().clients).toBe(0)
    await hub.close()
  })
})

describe.each(['node', 'fetch'] as const)('SSE over HTTP (%s handler)', (sse) => {
  it('answers a preflight from an allowed origin for last-event-id, authorization and content-type', async () => {
    const server = await start(sse, { cors: { origins: ['http://app.test'], credentials: true } })
    const response = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.test', 'access-control-request-headers': 'last-event-id' },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('http://app.test')
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'last-event-id, authorization, content-type, cache-control',
    )
    expect(response.headers.get('access-control-allow-credentials')).toBe('true')
    expect(response.headers.get('vary')).toBe('Origin')
  })

  it('echoes an allowed origin on the stream and none for others', async () => {
    const server = await start(sse, { cors: { origins: ['http://app.test'] } })
    const allowed = await openRawSse(server.url, { headers: { origin: 'http://app.test' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.test')
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull()
    allowed.close()
    const other = await openRawSse(server.url, { headers: { origin: 'http://evil.test' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    other.close()
  })

  it('never answers Origin: * with Access-Control-Allow-Origin: * and credentials', async () => {
    const server = await start(sse, { cors: { origins: () => true, credentials: true } })
    for (const origin of ['*', 'null']) {
      const preflight = await fetch(server.url, { method: 'OPTIONS', headers: { origin } })
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
      const reader = await openRawSse(server.url, { headers: { origin } })
      expect(reader.headers.get('access-control-allow-origin')).toBeNull()
      expect(reader.headers.get('vary')).toBe('Origin')
      reader.close()
    }
  })

  it('refuses with 403 a Host that allowedHosts does not list (DNS rebinding)', async () => {
    const server = await start(sse, { allowedHosts: ['127.0.0.1'] })
    expect((await openRawSse(server.url)).status).toBe(200)
    const { port } = new URL(server.url)
    const rebound = await openRawHttp(
      server.url,
      `GET /events HTTP/1.1\r\nhost: rebind.attacker.test:${port}\r\n\r\n`,
    )
    await rebound.waitFor(() => rebound.statuses.length > 0)
    expect(rebound.statuses).toEqual([403])
    rebound.close()
  })

  it('refuses other methods with 405', async () => {
    const server = await start(sse)
    const response = await fetch(server.url, { method: 'POST', body: 'x' })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, OPTIONS')
  })

  it('turns away connections past maxClients with 503 and Retry-After', async () => {
    const server = await start(sse, { maxClients: 1 })
    const first = await openRawSse(server.url)
    await first.waitFor((items) => positionsOf(items).length > 0)
    const second = await fetch(server.url)
    expect(second.status).toBe(503)
    expect(second.headers.get('retry-after')).toBe('1')
    first.close()
  })

  it('takes a repeated Last-Event-ID as one malformed resume point: 200 and reset', async () => {
    const server = await start(sse)
    const id = await server.hub.publish('events', { data: 'a' })
    const raw = await openRawHttp(
      server.url,
      rawGet(server.url, [`last-event-id: ${id}`, `last-event-id: ${id}`]),
    )
    await raw.waitFor((text) => text.includes(`\nid: ${id}\n\n`))
    expect(raw.statuses).toEqual([200])
    expect(raw.text).toContain('event: reset\ndata: \n\n')
    raw.close()
  })

  it('answers after close with 200, the retry hint and the close event', async () => {
    const server = await start(sse)
    await server.hub.close({ reconnect: false })
    const reader = await openRawSse(server.url)
    await reader.waitForEnd()
    expect(reader.status).toBe(200)
    expect(reader.text).toBe('retry: 1000\n\nevent: close\ndata: {"reconnect":false}\n\n')
  })
})

describe('hub.sse', () => {
  it('serves a request whose target is no URL (GET //) instead of throwing', async () => {
    const hub = createHub()
    const server = createServer((req, res) => hub.sse(req, res, { stream: 's' }))
    const port = await listenOnLoopback(server)
    try {
      const raw = await openRawHttp(
        `http://127.0.0.1:${port}/`,
        'GET // HTTP/1.1\r\nhost: x\r\n\r\n',
      )
      await raw.waitFor((text) => text.includes('\nid: '))
      expect(raw.statuses).toEqual([200])
      raw.close()
    } finally {
      await hub.close()
      server.closeAllConnections()
      server.close()
    }
  })
})
