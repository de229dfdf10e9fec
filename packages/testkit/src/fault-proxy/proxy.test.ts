import { once } from 'node:events'
import {
  Agent,
  createServer as createHttpServer,
  get,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { createArrivals, createNotifier, until, within } from '../wait'
import { closeServer, listenOnLoopback } from '../wire/loopback'
import { createSocketTracker } from '../wire/socket-tracker'
import { createFaultProxy, type FaultProxy } from './proxy'

const cleanups: (() => Promise<unknown> | unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface RawUpstream {
  port: number
  nextSocket(): Promise<Socket>
}

/** A raw TCP upstream; `greeting` is written to every connection it accepts. */
async function rawUpstream(greeting?: string): Promise<RawUpstream> {
  const sockets = createSocketTracker()
  const arrived = createArrivals<Socket>()
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.track(socket)
    socket.on('error', () => {})
    if (greeting !== undefined) socket.write(greeting)
    arrived.push(socket)
  })
  const port = await listenOnLoopback(server)
  cleanups.push(async () => {
    sockets.destroyAll()
    await new Promise((resolve) => server.close(resolve))
  })
  return { port, nextSocket: () => arrived.next('an upstream socket') }
}

interface RawClient {
  socket: Socket
  chunks: Buffer[]
  text(): string
  /** Resolves with `'end'` for a FIN, else the error code (`ECONNRESET`, `ECONNREFUSED`). */
  outcome(): Promise<string>
  untilText(pattern: string): Promise<void>
}

function rawClient(port: number): RawClient {
  const socket = connect({ port, host: '127.0.0.1' })
  const chunks: Buffer[] = []
  const text = () => Buffer.concat(chunks).toString()
  const changes = createNotifier()
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    changes.notify()
  })
  const outcome = new Promise<string>((resolve) => {
    socket.on('end', () => resolve('end'))
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
  cleanups.push(() => socket.destroy())
  return {
    socket,
    chunks,
    text,
    outcome: () => within(outcome, 'the client socket to end'),
    untilText: async (pattern) => {
      await until(() => text().includes(pattern), `client text ${JSON.stringify(pattern)}`, {
        wake: changes.wake,
      })
    },
  }
}

async function proxyTo(port: number, seed = 1): Promise<FaultProxy> {
  const proxy = await createFaultProxy({ upstream: { port }, seed })
  cleanups.push(() => proxy.close())
  return proxy
}

/** One client connected through a fresh proxy to a raw upstream, both ends in hand. */
async function connectedThroughProxy(greeting?: string) {
  const upstream = await rawUpstream(greeting)
  const proxy = await proxyTo(upstream.port)
  const next = proxy.nextConnection()
  const client = rawClient(proxy.port)
  const connection = await next
  const server = await upstream.nextSocket()
  return { upstream, proxy, client, connection, server }
}

interface SseUpstream {
  port: number
  /** Resolves with the next /events response, so the test can write events to it. */
  nextStream(): Promise<ServerResponse>
}

/** An HTTP upstream: `/events` answers an SSE-ish stream the test writes to; WebSocket says hello. */
async function sseUpstream(): Promise<SseUpstream> {
  const streams = createArrivals<ServerResponse>()
  const server = createHttpServer((req, res) => {
    if (req.url?.startsWith('/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      res.flushHeaders()
      streams.push(res)
      return
    }
    res.end(`ok ${req.url}`)
  })
  const wss = new WebSocketServer({ server })
  wss.on('connection', (ws) => ws.send('hello'))
  const port = await listenOnLoopback(server)
  cleanups.push(async () => {
    for (const ws of wss.clients) ws.terminate()
    wss.close()
    await closeServer(server)
  })
  return { port, nextStream: () => streams.next('an /events request') }
}

function request(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  agent: Agent | false = false,
): Promise<IncomingMessage> {
  return within(
    new Promise((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path, headers, agent }, resolve)
      req.on('error', reject)
      cleanups.push(() => req.destroy())
    }),
    `a response to ${path}`,
  )
}

async function body(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of res) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

const sse = { accept: 'text/event-stream' }

describe('createFaultProxy', () => {
  it('passes bytes both ways and reports the connection', async () => {
    const { upstream, proxy, client, connection, server } = await connectedThroughProxy('hi ')
    client.socket.write('ping')
    await once(server, 'data')
    server.end('pong')
    expect(await client.outcome()).toBe('end')
    expect(client.text()).toBe('hi pong')
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`)
    await connection.closed
    expect(connection).toMatchObject({ id: 1, bytesUp: 4, bytesDown: 7, request: undefined })
    expect(proxy.connections).toEqual([])
    expect(connection.upstream).toEqual({ host: '127.0.0.1', port: upstream.port })
  })

  it.each([
    ['rst', 'ECONNRESET'],
    ['fin', 'end'],
  ] as const)('cuts with %s so the client sees %s', async (mode, outcome) => {
    const upstream = await rawUpstream('hello')
    const proxy = await proxyTo(upstream.port)
    const client = rawClient(proxy.port)
    await client.untilText('hello')
    const server = await upstream.nextSocket()
    const upstreamSaw = new Promise((resolve) => {
      server.once('end', () => resolve('end'))
      server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code))
    })
    proxy.cutAll({ mode })
    expect(await client.outcome()).toBe(outcome)
    expect(await within(upstreamSaw, 'the upstream to see the cut')).toBe(outcome)
  })

  it('cuts with FIN after exactly N downstream bytes', async () => {
    const upstream = await rawUpstream()
    const proxy = await proxyTo(upstream.port)
    proxy.setRule({}, { kind: 'cut', mode: 'fin', afterBytes: 1_000 })
    const client = rawClient(proxy.port)
    const server = await upstream.nextSocket()
    server.write(Buffer.alloc(10_000, 'x'))
    expect(await client.outcome()).toBe('end')
    expect(Buffer.concat(client.chunks).length).toBe(1_000)
  })

  it('cuts with RST after N downstream bytes, delivering no more than N', async () => {
    // The reset lands on bytes the client has not read yet, which Linux reports as an EOF
    // after them; the cut-now test above proves the RST itself.
    const upstream = await rawUpstream()
    const proxy = await proxyTo(upstream.port)
    const connection = proxy.nextConnection()
    const client = rawClient(proxy.port)
    const server = await upstream.nextSocket()
    ;(await connection).apply({ kind: 'cut', mode: 'rst', afterBytes: 3 })
    server.write('abcdef')
    expect(['ECONNRESET', 'end']).toContain(await client.outcome())
    await (await connection).closed
    expect((await connection).bytesDown).toBe(3)
    expect('abc'.startsWith(client.text())).toBe(true)
  })

  it('stalls both directions without closing, and lets the held bytes through when lifted', async () => {
    const { proxy, client, connection, server } = await connectedThroughProxy()
    proxy.stallAll()
    server.write('down')
    client.socket.write('up')
    await connection.until((c) => c.bytesFromUpstream === 4 && c.bytesFromClient === 2)
    expect(connection).toMatchObject({ bytesDown: 0, bytesUp: 0, pendingDown: 4, open: true })
    const upArrived = once(server, 'data')
    connection.apply({ kind: 'pass' })
    await client.untilText('down')
    expect(String((await upArrived)[0])).toBe('up')
  })

  it('stalls downstream only: the server still hears the client', async () => {
    const { proxy, client, connection, server } = await connectedThroughProxy()
    proxy.stallAll({ direction: 'downstream' })
    server.write('down')
    client.socket.write('up')
    expect(String((await once(server, 'data'))[0])).toBe('up')
    await connection.until((c) => c.bytesFromUpstream === 4)
    expect(connection.bytesDown).toBe(0)
    expect(client.chunks).toEqual([])
  })

  it('adds latency: a delayed connection hears later than an undelayed one, in order', async () => {
    const upstream = await rawUpstream()
    const proxy = await proxyTo(upstream.port)
    const slow = rawClient(proxy.port)
    const slowConnection = await proxy.nextConnection()
    const slowServer = await upstream.nextSocket()
    const fast = rawClient(proxy.port)
    const fastServer = await upstream.nextSocket()
    slowConnection.apply({ kind: 'latency', ms: 150 })
    const order: string[] = []
    let heardAfter = 0
    slow.socket.once('data', () => {
      order.push('slow')
      heardAfter = performance.now() - sentAt
    })
    fast.socket.once('data', () => order.push('fast'))
    const sentAt = performance.now()
    slowServer.write('one,')
    slowServer.end('two')
    fastServer.write('now')
    expect(await slow.outcome()).toBe('end')
    await fast.untilText('now')
    expect(order).toEqual(['fast', 'slow'])
    expect(slow.text()).toBe('one,two')
    // Never sooner than the latency asked for (timers do not fire early).
    expect(heardAfter).toBeGreaterThanOrEqual(149)
  })

  it('throttles: a single write arrives in several slices, intact', async () => {
    const upstream = await rawUpstream()
    const proxy = await proxyTo(upstream.port)
    proxy.setRule({}, { kind: 'throttle', bytesPerSecond: 40_000 })
    const client = rawClient(proxy.port)
    const server = await upstream.nextSocket()
    const payload = Buffer.alloc(8_000)
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251
    const sentAt = performance.now()
    server.end(payload)
    expect(await client.outcome()).toBe('end')
    // 8,000 bytes at 40,000 B/s is 200 ms; the first 50 ms slice leaves at once.
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(149)
    expect(Buffer.concat(client.chunks).equals(payload)).toBe(true)
    expect(client.chunks.length).toBeGreaterThan(1)
    expect(Math.max(...client.chunks.map((c) => c.length))).toBeLessThan(payload.length)
  })

  it('mirrors how the upstream closes: FIN as end, RST as ECONNRESET, refused as ECONNRESET', async () => {
    const upstream = await rawUpstream()
    const proxy = await proxyTo(upstream.port)
    const finClient = rawClient(proxy.port)
    ;(await upstream.nextSocket()).end()
    const rstClient = rawClient(proxy.port)
    ;(await upstream.nextSocket()).resetAndDestroy()
    expect(await finClient.outcome()).toBe('end')
    expect(await rstClient.outcome()).toBe('ECONNRESET')
    const dead = await rawUpstream()
    const deadPort = dead.port
    await cleanups.splice(-1)[0]?.()
    proxy.setUpstream({ port: deadPort })
    expect(await rawClient(proxy.port).outcome()).toBe('ECONNRESET')
  })
})

describe('createFaultProxy on HTTP routes', () => {
  it('buffers the body behind the headers until N bytes, then releases the block at once', async () => {
    const upstream = await sseUpstream()
    const proxy = await proxyTo(upstream.port)
    proxy.setRule({ path: '/events' }, { kind: 'buffer', untilBytes: 50 })
    const next = proxy.nextRequest()
    const res = await request(proxy.port, '/events', sse)
    expect(res.headers['content-type']).toBe('text/event-stream')
    const stream = await upstream.nextStream()
    const { connection } = await next
    const headBytes = connection.bytesDown
    const wire: string[] = []
    res.socket.on('data', (chunk: Buffer) => wire.push(String(chunk)))
    stream.write('data: 1\n\n')
    await connection.until((c) => c.bytesFromUpstream > headBytes)
    expect(connection.pendingDown).toBe(connection.bytesFromUpstream - headBytes)
    expect(connection.bytesDown).toBe(headBytes)
    for (let i = 2; i <= 4; i++) stream.write(`data: ${i}\n\n`)
    await connection.until((c) => c.bytesDown > headBytes)
    await within(once(res.socket, 'data'), 'the released block')
    expect(wire[0]).toMatch(/data: 1\n\n[\s\S]*data: 4\n\n/)
  })

  it('buffers the body until the upstream ends when no size is given', async () => {
    const upstream = await sseUpstream()
    const proxy = await proxyTo(upstream.port)
    proxy.setRule({ headers: sse }, { kind: 'buffer' })
    const next = proxy.nextRequest()
    const res = await request(proxy.port, '/events', sse)
    const stream = await upstream.nextStream()
    const { connection } = await next
    const headBytes = connection.bytesDown
    let text = ''
    res.on('data', (chunk: Buffer) => {
      text += String(chunk)
    })
    for (let i = 1; i <= 50; i++) stream.write(`data: ${i}\n\n`)
    await connection.until((c) => c.bytesFromUpstream - headBytes > 50 * 9)
    expect(connection.bytesDown).toBe(headBytes)
    expect(text).toBe('')
    stream.end()
    await within(once(res, 'end'), 'the end of the body')
    expect(text).toMatch(/^data: 1\n\n[\s\S]*data: 50\n\n$/)
  })

  it('buffers each complete response of a keep-alive connection until its end, chunked or sized', async () => {
    const pieces = createArrivals<ServerResponse>()
    const server = createHttpServer((req, res) => {
      if (req.url === '/sized') res.end('0123456789')
      else {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.write('id: 1\n\n')
        pieces.push(res)
      }
    })
    const port = await listenOnLoopback(server)
    cleanups.push(() => closeServer(server))
    const proxy = await proxyTo(port)
    proxy.setRule({ path: '/' }, { kind: 'buffer' })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    cleanups.push(() => agent.destroy())
    for (let poll = 1; poll <= 2; poll++) {
      const res = await request(proxy.port, `/poll-${poll}`, sse, agent)
      const open = await pieces.next('the poll on the upstream')
      const [connection] = proxy.connections
      const headBytes = connection!.bytesDown
      const wire: string[] = []
      const onWire = (chunk: Buffer) => wire.push(String(chunk))
      const socket = res.socket
      socket.on('data', onWire)
      const text = body(res)
      open.write('data: more\n\n')
      await connection!.until((c) => c.pendingDown > 0)
      expect(connection!.bytesDown).toBe(headBytes)
      open.end('id: 2\n\n')
      expect(await within(text, 'the end of the poll')).toBe('id: 1\n\ndata: more\n\nid: 2\n\n')
      socket.off('data', onWire)
      // The whole body in one delivery, its chunked framing included, as from a proxy's buffer.
      expect(wire).toHaveLength(1)
      expect(wire[0]).toMatch(/id: 1\n\n[\s\S]*data: more\n\n[\s\S]*id: 2\n\n\r\n0\r\n\r\n$/)
    }
    expect(await body(await request(proxy.port, '/sized', {}, agent))).toBe('0123456789')
    expect(proxy.stats.accepted).toBe(1)
    expect(proxy.connections[0]?.requests).toBe(3)
  })

  it('holds the headers too in the header-holding variant, so no response arrives', async () => {
    const upstream = await sseUpstream()
    const proxy = await proxyTo(upstream.port)
    proxy.setRule({ headers: sse }, { kind: 'buffer', holdHeaders: true, untilBytes: 200 })
    const next = proxy.nextRequest()
    let responded = false
    const res = request(proxy.port, '/events', sse).then((r) => {
      responded = true
      return r
    })
    const stream = await upstream.nextStream()
    const { connection } = await next
    await connection.until((c) => c.bytesFromUpstream > 0)
    expect(connection.bytesDown).toBe(0)
    expect(connection.pendingDown).toBe(connection.bytesFromUpstream)
    expect(responded).toBe(false)
    while (connection.bytesDown === 0) {
      const read = connection.bytesFromUpstream
      stream.write(`data: ${'x'.repeat(30)}\n\n`)
      await connection.until((c) => c.bytesFromUpstream > read)
    }
    expect((await res).statusCode).toBe(200)
  })

  it('answers the SSE route with 502 while a WebSocket upgrade on the same path passes', async () => {
    const upstream = await sseUpstream()
    const proxy = await proxyTo(upstream.port)
    proxy.setRule({ headers: sse }, { kind: 'status', status: 502 })
    const blocked = await request(proxy.port, '/events', sse)
    expect(blocked.statusCode).toBe(502)
    expect(await body(blocked)).toBe('502 Bad Gateway\n')
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/events`)
    ws.on('error', () => {})
    cleanups.push(() => ws.terminate())
    const [message] = await within(once(ws, 'message'), 'a WebSocket message')
    expect(String(message)).toBe('hello')
    const plain = await request(proxy.port, '/health')
    expect(await body(plain)).toBe('ok /health')
  })

  it('keeps a matched fault on a keep-alive connection and looks again at unmatched ones', async () => {
    const upstream = await sseUpstream()
    const proxy = await proxyTo(upstream.port)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    cleanups.push(() => agent.destroy())
    expect(await body(await request(proxy.port, '/a', {}, agent))).toBe('ok /a')
    proxy.setRule({ path: '/b' }, { kind: 'status', status: 503 })
    expect((await request(proxy.port, '/b', {}, agent)).statusCode).toBe(503)
    expect(proxy.stats.accepted).toBe(1)

    proxy.clearRules()
    proxy.setRule({ path: '/c' }, { kind: 'latency', ms: 1 })
    expect(await body(await request(proxy.port, '/c', {}, agent))).toBe('ok /c')
    expect(await body(await request(proxy.port, '/d', {}, agent))).toBe('ok /d')
    const [connection] = proxy.connections
    expect(connection).toMatchObject({ requests: 2, fault: { kind: 'latency', ms: 1 } })
    expect(connection?.request?.path).toBe('/d')
  })

  it('reports each request head with method, path, headers and upgrade', async () => {
    const upstream = await sseUpstream()
    const proxy = await proxyTo(upstream.port)
    const next = proxy.nextRequest({ where: ({ request }) => request.upgrade })
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/events?x=1`)
    ws.on('error', () => {})
    cleanups.push(() => ws.terminate())
    const { request: head } = await next
    expect(head).toMatchObject({ method: 'GET', path: '/events', target: '/events?x=1' })
    expect(head.headers.upgrade).toBe('websocket')
  })
})

describe('createFaultProxy control', () => {
  it.each([
    ['reset', 'ECONNRESET'],
    ['close', 'end'],
    ['unlisten', 'ECONNREFUSED'],
  ] as const)(
    'refuses new connections with %s (%s), then lets them in again',
    async (mode, outcome) => {
      const upstream = await rawUpstream('hello')
      const proxy = await proxyTo(upstream.port)
      await proxy.refuse(mode)
      expect(await rawClient(proxy.port).outcome()).toBe(outcome)
      await proxy.refuse(false)
      await rawClient(proxy.port).untilText('hello')
    },
  )

  it('sends new connections to a new upstream while open ones stay', async () => {
    const a = await rawUpstream('A')
    const b = await rawUpstream('B')
    const proxy = await proxyTo(a.port)
    const first = rawClient(proxy.port)
    await first.untilText('A')
    proxy.setUpstream({ port: b.port })
    const second = rawClient(proxy.port)
    await second.untilText('B')
    const onA = await a.nextSocket()
    first.socket.write('still')
    expect(String((await once(onA, 'data'))[0])).toBe('still')
    expect(proxy.connections.map((c) => c.upstream.port)).toEqual([a.port, b.port])
  })

  it('bounds every wait and rejects waits when closed', async () => {
    const upstream = await rawUpstream()
    const proxy = await proxyTo(upstream.port)
    await expect(proxy.nextConnection({ timeoutMs: 20 })).rejects.toThrow(
      /waiting for a connection at the fault proxy/,
    )
    const pending = proxy.nextRequest()
    await proxy.close()
    await expect(pending).rejects.toThrow(/closed/)
  })

  it('rejects faults with impossible parameters', async () => {
    const upstream = await rawUpstream()
    const proxy = await proxyTo(upstream.port)
    expect(() => proxy.setRule({}, { kind: 'throttle', bytesPerSecond: 0 })).toThrow(RangeError)
    expect(() => proxy.applyAll({ kind: 'latency', ms: -1 })).toThrow(RangeError)
    expect(() => proxy.setRule({}, { kind: 'status', status: 99 })).toThrow(RangeError)
  })

  it('draws the same faults from the same seed', async () => {
    const upstream = await rawUpstream()
    const [p1, p2, p3] = await Promise.all([
      proxyTo(upstream.port, 42),
      proxyTo(upstream.port, 42),
      proxyTo(upstream.port, 43),
    ])
    const draw = (p: FaultProxy) => Array.from({ length: 30 }, () => p.randomFault())
    const first = draw(p1)
    expect(draw(p2)).toEqual(first)
    expect(draw(p3)).not.toEqual(first)
  })
})
