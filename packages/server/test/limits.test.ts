import { createServer } from 'node:http'
import { createHub } from '@lifeline/server'
import { hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { openRawHttp, rawGet } from '@lifeline/testkit/wire/raw-http'
import { openRawPipe, positionsOf } from '@lifeline/testkit/wire/raw-pipe'
import { openRawSse } from '@lifeline/testkit/wire/raw-sse-reader'
import { openRawWs, UpgradeRefused } from '@lifeline/testkit/wire/raw-ws-reader'
import { describe, expect, it } from 'vitest'

const start = hubServersPerTest()

const refusal = (promise: Promise<{ close(): void }>) =>
  promise.then(
    (reader) => reader.close(),
    (error: unknown) => (error instanceof UpgradeRefused ? error.status : error),
  )

const statusOf = async (url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { headers })
  await response.body?.cancel()
  return response.status
}

describe('a pipelined request', () => {
  it('behind an event stream holds no place: 500 pipelined GETs on one socket, then honest clients get 200 under maxClients 50', async () => {
    const server = await start({ hubOptions: { maxClients: 50 } })
    let requests = 0
    server.server.on('request', () => requests++)
    const raw = await openRawHttp(
      server.url,
      rawGet(server.url, ['accept: text/event-stream']).repeat(500),
    )
    // The server has read them all, or (a request stacked behind an endless stream can never
    // be answered) dropped the connection.
    await expect.poll(() => raw.ended || requests === 500).toBe(true)
    raw.close()
    await expect.poll(() => server.hub.stats().clients).toBe(0)
    const honest = await Promise.all(Array.from({ length: 5 }, () => openRawSse(server.url)))
    expect(honest.map((reader) => reader.status)).toEqual([200, 200, 200, 200, 200])
    for (const reader of honest) reader.close()
  })

  it('queued behind a slow response is released when the connection closes first', async () => {
    const hub = createHub()
    // The app holds /slow open; the event stream pipelined behind it waits in Node's queue.
    const server = createServer((req, res) => {
      if (req.url === '/slow') res.writeHead(200).write('working')
      else hub.sse(req, res, { stream: 's' })
    })
    const port = await listenOnLoopback(server)
    const url = `http://127.0.0.1:${port}/events`
    try {
      const raw = await openRawHttp(url, rawGet(`http://127.0.0.1:${port}/slow`) + rawGet(url))
      await expect.poll(() => hub.stats().clients).toBe(1)
      raw.close()
      await expect.poll(() => hub.stats().clients).toBe(0)
    } finally {
      await hub.close()
      server.closeAllConnections()
      server.close()
    }
  })
})

describe('maxClientsPerAddress', () => {
  it('turns a connection past it away with 429 and Retry-After, both pipes counted together', async () => {
    const server = await start({ hubOptions: { maxClientsPerAddress: 2 } })
    const held = [await openRawPipe('sse', server), await openRawPipe('websocket', server)]
    await Promise.all(
      held.map((reader) => reader.waitFor((items) => positionsOf(items).length > 0)),
    )
    const response = await fetch(server.url)
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('1')
    expect(await refusal(openRawWs(server.wsUrl))).toBe(429)
    held[0]!.close()
    await expect.poll(() => server.hub.stats().clients).toBe(1)
    expect(await statusOf(server.url)).toBe(200)
    held[1]!.close()
  })

  it('reads X-Forwarded-For only behind as many proxies as trustProxy says', async () => {
    const direct = await start({ hubOptions: { maxClientsPerAddress: 1 } })
    const first = await openRawSse(direct.url, { headers: { 'x-forwarded-for': '198.51.100.1' } })
    // Anyone can write the header: without trusted proxies every request here is 127.0.0.1.
    expect(await statusOf(direct.url, { 'x-forwarded-for': '198.51.100.2' })).toBe(429)
    first.close()

    const proxied = await start({ hubOptions: { maxClientsPerAddress: 1, trustProxy: 1 } })
    const a = await openRawSse(proxied.url, { headers: { 'x-forwarded-for': '198.51.100.1' } })
    const b = await openRawWs(proxied.wsUrl, { headers: { 'x-forwarded-for': '198.51.100.2' } })
    expect([a.status, await statusOf(proxied.url, { 'x-forwarded-for': '198.51.100.3' })]).toEqual([
      200, 200,
    ])
    expect(await statusOf(proxied.url, { 'x-forwarded-for': 'forged, 198.51.100.1' })).toBe(429)
    expect(
      await refusal(openRawWs(proxied.wsUrl, { headers: { 'x-forwarded-for': '198.51.100.2' } })),
    ).toBe(429)
    a.close()
    b.close()
  })

  it('counts hub.fetch requests under the address they are served with', async () => {
    const hub = createHub({ maxClientsPerAddress: 1 })
    const request = () => new Request('http://localhost/events')
    const served = [
      hub.fetch(request(), { stream: 's', address: '198.51.100.1' }),
      hub.fetch(request(), { stream: 's', address: '198.51.100.1' }),
      hub.fetch(request(), { stream: 's', address: '198.51.100.2' }),
      hub.fetch(request(), { stream: 's' }),
      hub.fetch(request(), { stream: 's' }),
    ]
    expect(served.map((response) => response.status)).toEqual([200, 429, 200, 200, 200])
    expect(served[1]!.headers.get('retry-after')).toBe('1')
    await Promise.all(served.map((response) => response.body?.cancel()))
    await hub.close()
  })
})
