import { createServer, type Server } from 'node:http'
import { createHub, type Hub } from '@lifeline/server'
import { hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { openRawHttp, rawGet } from '@lifeline/testkit/wire/raw-http'
import { positionsOf } from '@lifeline/testkit/wire/raw-pipe'
import { openRawWs } from '@lifeline/testkit/wire/raw-ws-reader'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'

const start = hubServersPerTest()

const UPGRADE = [
  'upgrade: websocket',
  'connection: Upgrade',
  'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version: 13',
]

/** A raw upgrade request to `path` of the server at `url`. */
const upgradeTo = (url: string, path: string) =>
  rawGet(url, UPGRADE).replace(/^GET \S+/, `GET ${path}`)

const own: { server: Server; hubs: Hub[] }[] = []
afterEach(async () => {
  for (const { server, hubs } of own.splice(0)) {
    await Promise.all(hubs.map((hub) => hub.close()))
    server.closeAllConnections()
    server.close()
  }
})

/** An http server of the test's own, with `hubs` closed after the test. */
async function serve(server: Server, hubs: Hub[]): Promise<string> {
  own.push({ server, hubs })
  return `http://127.0.0.1:${await listenOnLoopback(server)}`
}

describe('hub.attach', () => {
  it.each(['/elsewhere', '//'])(
    'ends an upgrade to %s, which no listener serves, with 404',
    async (path) => {
      const server = await start()
      const raw = await openRawHttp(server.url, upgradeTo(server.url, path))
      await raw.waitForClose()
      expect(raw.statuses).toEqual([404])
    },
  )

  it('answers an upgrade no attach of several serves once, and serves each of their paths', async () => {
    const hubs = [createHub(), createHub()]
    const server = createServer()
    hubs[0]!.attach(server, { path: '/a', stream: 's' })
    hubs[1]!.attach(server, { path: '/b', stream: 's' })
    const base = await serve(server, hubs)
    const raw = await openRawHttp(base, upgradeTo(base, '/c'))
    await raw.waitForClose()
    expect(raw.statuses).toEqual([404])
    for (const path of ['/a', '/b']) {
      const reader = await openRawWs(`${base.replace('http', 'ws')}${path}`)
      await reader.waitFor((items) => positionsOf(items).length > 0)
      reader.close()
    }
  })

  it("leaves an upgrade to another path to the app's own upgrade listener", async () => {
    const hub = createHub()
    const server = createServer()
    hub.attach(server, { path: '/events', stream: 's' })
    const chat = new WebSocketServer({ noServer: true })
    server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/chat') return
      chat.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data) => ws.send(data)))
    })
    const base = (await serve(server, [hub])).replace('http', 'ws')
    const client = new WebSocket(`${base}/chat`)
    const echoed = new Promise<string>((resolve) => {
      client.on('message', (data) => resolve(data.toString()))
    })
    client.on('open', () => client.send('hi'))
    expect(await echoed).toBe('hi')
    client.close()
    const reader = await openRawWs(`${base}/events`)
    await reader.waitFor((items) => positionsOf(items).length > 0)
    reader.close()
    chat.close()
  })
})
