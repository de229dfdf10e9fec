import { createServer } from 'node:http'
import { createHub } from '@lifeline/server'
import { hubServersPerTest } from '@lifeline/testkit/hub-server'
import { listenOnLoopback } from '@lifeline/testkit/loopback'
import { openRawHttp, rawGet } from '@lifeline/testkit/raw-http'
import { openRawSse } from '@lifeline/testkit/raw-sse-reader'
import { describe, expect, it } from 'vitest'

const start = hubServersPerTest()

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
