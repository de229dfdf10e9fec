import type http from 'node:http'
import {
  type BrowserHarness,
  type BrowserPage,
  launchBrowser,
} from '@lifeline/testkit/browser/harness'
import { until } from '@lifeline/testkit/wait'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'

// Issue 15 in Chromium: what hostile-servers.test.ts checks in Node, where only a browser
// shows it (a subprotocol Chromium makes up) or where the adapter exists only there (XHR).

type ClientPage = typeof import('../client-page')

const entry = new URL('../client-page.ts', import.meta.url)

let browser: BrowserHarness
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

let app: BrowserPage<ClientPage> | undefined
afterEach(async () => {
  await app?.call('close')
  await app?.close()
  app = undefined
})

/**
 * A Lifeline WebSocket endpoint on the page's server that selects no subprotocol (RFC 6455
 * §4.2.2: "If the server does not wish to agree to one of the suggested subprotocols, it
 * MUST NOT send back a |Sec-WebSocket-Protocol| header field"): it accepts the hello, sends
 * the position block and two events. Records the `Sec-WebSocket-Protocol` header of every
 * upgrade.
 */
function attachNoSubprotocolEndpoint(server: http.Server): (string | undefined)[] {
  const offered: (string | undefined)[] = []
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => false })
  server.on('upgrade', (req, socket, head) => {
    offered.push(req.headers['sec-websocket-protocol'])
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {})
      ws.once('message', () => {
        ws.send('id: p0\n\n')
        ws.send('id: 1\ndata: one\n\nid: 2\ndata: two\n\n')
      })
    })
  })
  server.once('close', () => wss.close())
  return offered
}

describe('issue 15, item 9: websocket against a server that selects no subprotocol', () => {
  it('offers no subprotocol without the protocols option: the client opens and receives', async () => {
    app = await browser.open<ClientPage>({ entry })
    const offered = attachNoSubprotocolEndpoint(app.server)
    await app.call('start', 'websocket', app.url('/events'))
    await until(() => offered.length > 0, 'the upgrade request')
    // Chromium sent `Sec-WebSocket-Protocol: undefined` when the adapter passed `undefined`
    // with a third argument after it; the handshake then failed on the missing answer.
    expect(offered[0]).toBeUndefined()
    await app.call('opened')
    const seen = await app.call('received', 2)
    expect(seen.map((e) => [e.data, e.id, e.transport])).toEqual([
      ['one', '1', 'websocket'],
      ['two', '2', 'websocket'],
    ])
    expect(offered).toEqual([undefined])
  })

  it('offers the protocols it is given, in order', async () => {
    app = await browser.open<ClientPage>({ entry })
    const offered = attachNoSubprotocolEndpoint(app.server)
    await app.call('start', 'websocket', app.url('/events'), { protocols: ['a', 'b'] })
    await until(() => offered.length > 0, 'the upgrade request')
    expect(offered[0]).toBe('a, b')
  })
})

describe('issue 15: credentials refused twice are final, on sse-xhr in Chromium', () => {
  it('resolves the headers once more after a 401, then closes with unauthorized', async () => {
    const authorization: (string | undefined)[] = []
    app = await browser.open<ClientPage>({
      entry,
      handler: (req, res) => {
        authorization.push(req.headers.authorization)
        res.writeHead(401, { 'content-type': 'text/plain' }).end('sign in again')
      },
    })
    await app.call('start', 'sse-xhr', app.url('/events'), { bearer: true })
    await app.call('reached', 'closed')
    expect(authorization).toEqual(['Bearer t1', 'Bearer t2'])
    expect(await app.call('failed', 1)).toEqual(['unauthorized http 401'])
    const status = await app.call('status')
    expect(status).toMatchObject({ state: 'closed', headersResolved: 2, pendingTimers: [] })
  })
})
