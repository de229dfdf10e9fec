import type { TransportConnection } from '@lifeline/core'
import { connectRequest } from '@lifeline/testkit/doubles/connect-request'
import { createRecordingSink } from '@lifeline/testkit/doubles/recording-sink'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { websocket } from '../src/index'
import { type FrameServer, startFrameServer, WebSocket } from './frame-server'

let server: FrameServer

beforeEach(async () => {
  // This suite is about the `ws` path: Node 20 has no global WebSocket, newer Node has one,
  // so it is taken away here (tests that want one install their own).
  if (globalThis.WebSocket !== undefined) vi.stubGlobal('WebSocket', undefined)
  server = await startFrameServer()
})

afterEach(async () => {
  vi.unstubAllGlobals()
  await server.close()
})

/** Opens the adapter against the test server and waits until the server holds the socket. */
async function connect(options: Parameters<typeof websocket>[0] = {}, lastEventId?: string) {
  const recording = createRecordingSink()
  const request = connectRequest(server.url, { lastEventId })
  const connection = websocket(options).open(request, recording.sink)
  const peer = await server.peer()
  return { recording, request, connection, peer }
}

/** Connects and lets the server accept with `: ok`. */
async function accepted(options: Parameters<typeof websocket>[0] = {}) {
  const session = await connect(options)
  await session.peer.message(0)
  session.peer.socket.send(': ok\n\n')
  await session.recording.waitFor('opened')
  return session
}

describe('hello and acceptance', () => {
  it('sends a fresh hello without lastEventId, and keeps path and query in the URL', async () => {
    const { peer } = await connect()
    expect(JSON.parse(await peer.message(0))).toEqual({ type: 'hello' })
    expect(peer.request.url).toBe('/events?stream=prices')
  })

  it('asks for the whole history in the hello with from: start, never in the URL', async () => {
    const recording = createRecordingSink()
    websocket().open(connectRequest(server.url, { from: 'start' }), recording.sink)
    const peer = await server.peer()
    expect(await peer.message(0)).toBe('{"type":"hello","from":"start"}')
    expect(peer.request.url).toBe('/events?stream=prices')
  })

  it('sends the resume point in the hello, never in the URL', async () => {
    const { peer } = await connect({}, '42')
    expect(await peer.message(0)).toBe('{"type":"hello","lastEventId":"42"}')
    expect(peer.request.url).not.toContain('42')
    expect(peer.request.headers['last-event-id']).toBeUndefined()
  })

  it('reports opened on the first server frame, which does not count as activity', async () => {
    const { recording, peer } = await connect()
    await peer.message(0)
    expect(recording.records).toEqual([])
    peer.socket.send(': ok\n\n')
    await recording.waitFor('opened')
    peer.socket.send(':\n\n')
    await recording.waitFor('activity')
    expect(recording.records.map((c) => c.call)).toEqual(['opened', 'activity'])
  })

  it('decodes what the acceptance frame holds, such as the position block', async () => {
    const { recording, peer } = await connect()
    await peer.message(0)
    peer.socket.send('id: 7\n\n')
    await recording.waitFor('id')
    expect(recording.records).toEqual([{ call: 'opened' }, { call: 'id', lastEventId: '7' }])
  })

  it('counts every later frame as activity before decoding it', async () => {
    const { recording, peer } = await accepted()
    peer.socket.send('id: 1\nevent: price\ndata: {"eur":1.08}\n\nretry: 2500\n\nid: 2\n\n')
    await recording.waitFor('id')
    peer.socket.send(':\n\n')
    peer.socket.send('data: a\ndata: b\n\n')
    await recording.count('event', 2)
    expect(recording.records.slice(1)).toEqual([
      { call: 'activity' },
      { call: 'event', event: { type: 'price', data: '{"eur":1.08}', id: '1' } },
      { call: 'retry', ms: 2500 },
      { call: 'id', lastEventId: '2' },
      { call: 'activity' },
      { call: 'activity' },
      { call: 'event', event: { type: 'message', data: 'a\nb', id: undefined } },
    ])
  })

  it('decodes an event split across frames with one decoder per connection', async () => {
    const { recording, peer } = await accepted()
    peer.socket.send('id: 9\ndata: first')
    peer.socket.send(' half\n\n')
    const { event } = await recording.waitFor('event')
    expect(event).toEqual({ type: 'message', data: 'first half', id: '9' })
  })
})

describe('close reasons', () => {
  it.each([
    [1000, { kind: 'ended' }],
    [1001, { kind: 'ended' }],
    [1002, { kind: 'protocol', message: 'WebSocket closed with code 1002 (protocol error)' }],
    [1003, { kind: 'protocol', message: 'WebSocket closed with code 1003 (unsupported data)' }],
    [
      1007,
      { kind: 'protocol', message: 'WebSocket closed with code 1007 (invalid frame payload data)' },
    ],
    [1008, { kind: 'protocol', message: 'WebSocket closed with code 1008 (policy violation)' }],
    [1011, { kind: 'protocol', message: 'WebSocket closed with code 1011 (internal error)' }],
    [4000, { kind: 'protocol', message: 'WebSocket closed with code 4000 (unknown code)' }],
  ])('reports a server close with %i as %o', async (code, reason) => {
    const { recording, peer } = await accepted()
    peer.socket.close(code)
    expect(await recording.closed()).toEqual(reason)
  })

  it('puts the server close reason text in a protocol message', async () => {
    const { recording, peer } = await accepted()
    peer.socket.close(1008, 'hello timeout')
    expect(await recording.closed()).toEqual({
      kind: 'protocol',
      message: 'WebSocket closed with code 1008 (hello timeout)',
    })
  })

  it('reports a close frame without a code (1005) as ended', async () => {
    const { recording, peer } = await accepted()
    peer.socket.close()
    expect(await recording.closed()).toEqual({ kind: 'ended' })
  })

  it('reports a dropped socket (1006) as network', async () => {
    const { recording, peer } = await accepted()
    peer.socket.terminate()
    expect((await recording.closed()).kind).toBe('network')
  })

  it('reports a close before acceptance by its code too', async () => {
    const { recording, peer } = await connect()
    await peer.message(0)
    peer.socket.close(1008, 'bad hello')
    expect(await recording.closed()).toEqual({
      kind: 'protocol',
      message: 'WebSocket closed with code 1008 (bad hello)',
    })
    expect(recording.of('opened')).toEqual([])
  })

  it('reports a refused connection as network, with the error', async () => {
    const url = new URL(server.url)
    await server.close()
    server = await startFrameServer()
    const recording = createRecordingSink()
    websocket().open(connectRequest(url), recording.sink)
    const reason = await recording.closed()
    expect(reason.kind).toBe('network')
    expect(reason).toHaveProperty('error.code', 'ECONNREFUSED')
  })

  it.each([403, 503])('reports an upgrade refused with HTTP %i as that status', async (status) => {
    const refusing = await startFrameServer({ refuse: status })
    try {
      const recording = createRecordingSink()
      websocket().open(connectRequest(refusing.url), recording.sink)
      expect(await recording.closed()).toEqual({ kind: 'http', status })
      expect(refusing.clientCount()).toBe(0)
      expect(recording.records).toHaveLength(1)
    } finally {
      await refusing.close()
    }
  })
})

describe('frames the protocol does not allow', () => {
  it('closes with protocol when a frame exceeds the frame limit, which ws enforces while reading', async () => {
    const recording = createRecordingSink()
    websocket().open(connectRequest(server.url, { maxMessageBytes: 100_000 }), recording.sink)
    const peer = await server.peer()
    await peer.message(0)
    peer.socket.send(': ok\n\n')
    await recording.waitFor('opened')
    peer.socket.send(`data: ${'x'.repeat(100_000)}\n\n`)
    expect(await recording.closed()).toEqual({
      kind: 'protocol',
      message: 'frame exceeds 100000 bytes',
    })
    await peer.closed()
    expect(server.clientCount()).toBe(0)
    expect(recording.of('event')).toEqual([])
  })

  it('measures frames in UTF-8 bytes itself where the constructor ignores maxPayload', async () => {
    // A constructor that drops the third argument, as the WHATWG WebSocket does.
    class Plain extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols)
      }
    }
    const recording = createRecordingSink()
    const request = connectRequest(server.url, { maxMessageBytes: 1_024 })
    websocket({ WebSocket: Plain }).open(request, recording.sink)
    const peer = await server.peer()
    await peer.message(0)
    peer.socket.send(': ok\n\n')
    await recording.waitFor('opened')
    // 21,858 code units, 65,558 bytes in UTF-8: only the byte count is over 64 KiB.
    peer.socket.send(`data: ${'€'.repeat(21_850)}\n\n`)
    expect(await recording.closed()).toEqual({
      kind: 'protocol',
      message: 'frame exceeds 65536 bytes',
    })
    expect(await peer.closed()).toBe(1000)
    expect(recording.records.map((c) => c.call)).toEqual(['opened', 'closed'])
  })

  it('takes a packed frame larger than maxMessageBytes whose events are each within it', async () => {
    const recording = createRecordingSink()
    websocket().open(connectRequest(server.url, { maxMessageBytes: 64 }), recording.sink)
    const peer = await server.peer()
    await peer.message(0)
    peer.socket.send(': ok\n\n')
    peer.socket.send(`data: ${'a'.repeat(50)}\n\ndata: ${'b'.repeat(50)}\n\n`)
    await recording.count('event', 2)
    peer.socket.send(`data: ${'c'.repeat(65)}\n\n`)
    expect(await recording.closed()).toEqual({
      kind: 'protocol',
      message: 'message exceeds maxMessageBytes (64)',
    })
    expect(recording.of('event')).toHaveLength(2)
  })

  it('closes with protocol when one event spread over frames exceeds maxMessageBytes', async () => {
    const recording = createRecordingSink()
    websocket().open(connectRequest(server.url, { maxMessageBytes: 64 }), recording.sink)
    const peer = await server.peer()
    await peer.message(0)
    peer.socket.send(': ok\n\n')
    peer.socket.send(`data: ${'x'.repeat(40)}\n`)
    peer.socket.send(`data: ${'y'.repeat(40)}\n`)
    expect(await recording.closed()).toEqual({
      kind: 'protocol',
      message: 'message exceeds maxMessageBytes (64)',
    })
    expect(await peer.closed()).toBe(1000)
  })

  it('closes with protocol on a text frame that is not UTF-8', async () => {
    const { recording, peer } = await accepted()
    peer.socket.send(Uint8Array.of(0x64, 0x61, 0xff), { binary: false })
    expect(await recording.closed()).toEqual({
      kind: 'protocol',
      message: 'Invalid WebSocket frame: invalid UTF-8 sequence',
    })
    await peer.closed()
    expect(recording.of('event')).toEqual([])
  })

  it('closes with protocol on a binary frame', async () => {
    const { recording, peer } = await accepted()
    peer.socket.send(new TextEncoder().encode('data: x\n\n'))
    expect(await recording.closed()).toEqual({
      kind: 'protocol',
      message: 'binary frame: the server must send text frames',
    })
    expect(await peer.closed()).toBe(1000)
    expect(recording.of('event')).toEqual([])
  })
})

describe('cleanup', () => {
  it('reports aborted once when the signal aborts before the socket opens', async () => {
    const recording = createRecordingSink()
    const request = connectRequest(server.url)
    websocket().open(request, recording.sink)
    request.controller.abort()
    expect(await recording.closed()).toEqual({ kind: 'aborted' })
    expect(recording.records).toHaveLength(1)
  })

  it('creates no socket when the signal is already aborted', async () => {
    const construct = vi.fn()
    class Counting extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        construct()
        super(url, protocols)
      }
    }
    const recording = createRecordingSink()
    const request = connectRequest(server.url)
    request.controller.abort()
    websocket({ WebSocket: Counting }).open(request, recording.sink)
    expect(await recording.closed()).toEqual({ kind: 'aborted' })
    expect(construct).not.toHaveBeenCalled()
  })

  it('never calls the sink from inside open()', () => {
    const recording = createRecordingSink()
    const request = connectRequest(server.url)
    request.controller.abort()
    websocket().open(request, recording.sink)
    expect(recording.records).toEqual([])
  })

  it('closes the socket with 1000 on abort after acceptance, and reports nothing more', async () => {
    const { recording, peer, request } = await accepted()
    request.controller.abort()
    expect(await recording.closed()).toEqual({ kind: 'aborted' })
    expect(await peer.closed()).toBe(1000)
    expect(server.clientCount()).toBe(0)
    expect(recording.records.map((c) => c.call)).toEqual(['opened', 'closed'])
  })

  it('treats close() like an abort and reports closed exactly once', async () => {
    const { recording, peer, connection } = await accepted()
    connection.close()
    connection.close()
    expect(await peer.closed()).toBe(1000)
    expect(recording.of('closed')).toEqual([{ call: 'closed', reason: { kind: 'aborted' } }])
  })

  it('leaves no socket on the server when aborted during the handshake', async () => {
    const recording = createRecordingSink()
    const request = connectRequest(server.url)
    websocket().open(request, recording.sink)
    const peer = await server.peer()
    request.controller.abort()
    expect(await recording.closed()).toEqual({ kind: 'aborted' })
    await peer.closed()
    expect(server.clientCount()).toBe(0)
  })

  it('delivers nothing after closed() when the sink closes in the middle of a frame', async () => {
    let connection: TransportConnection | undefined
    const recording = createRecordingSink({
      event: (e) => {
        if (e.type === 'close') connection?.close()
      },
    })
    connection = websocket().open(connectRequest(server.url), recording.sink)
    const peer = await server.peer()
    await peer.message(0)
    peer.socket.send(': ok\n\n')
    peer.socket.send('event: close\ndata:\n\ndata: after\n\nid: 3\n\n')
    expect(await recording.closed()).toEqual({ kind: 'aborted' })
    expect(recording.records.map((c) => c.call)).toEqual(['opened', 'activity', 'event', 'closed'])
  })
})

describe('options', () => {
  it('offers the protocols option as subprotocols', async () => {
    const { peer } = await connect({ protocols: ['lifeline.v1', 'lifeline'] })
    expect(peer.request.headers['sec-websocket-protocol']).toBe('lifeline.v1,lifeline')
    expect(peer.socket.protocol).toBe('lifeline.v1')
  })

  it('passes the request headers to ws in Node', async () => {
    const recording = createRecordingSink()
    const request = connectRequest(server.url, {
      headers: new Headers({ authorization: 'Bearer t0ken' }),
    })
    websocket().open(request, recording.sink)
    const peer = await server.peer()
    expect(peer.request.headers.authorization).toBe('Bearer t0ken')
  })

  it('resolves its own url option against the client url', async () => {
    const client = new URL('/not-here', server.url)
    const recording = createRecordingSink()
    websocket({ url: '/ws?x=1' }).open(connectRequest(client), recording.sink)
    const peer = await server.peer()
    expect(peer.request.url).toBe('/ws?x=1')
  })

  it('sends {"type":"ping"} every pingInterval once open; the : pong answer is activity', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      const { recording, peer, connection } = await accepted({ pingInterval: 20_000 })
      expect(peer.messages).toHaveLength(1)
      vi.advanceTimersByTime(20_000)
      expect(await peer.message(1)).toBe('{"type":"ping"}')
      peer.socket.send(': pong\n\n')
      await recording.waitFor('activity')
      vi.advanceTimersByTime(20_000)
      expect(await peer.message(2)).toBe('{"type":"ping"}')
      connection.close()
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('starts no ping timer when the sink closes the connection from inside opened()', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      let connection: TransportConnection | undefined
      const recording = createRecordingSink({ opened: () => connection?.close() })
      connection = websocket({ pingInterval: 1_000 }).open(
        connectRequest(server.url),
        recording.sink,
      )
      const peer = await server.peer()
      await peer.message(0)
      peer.socket.send('id: 1\n\n')
      expect(await recording.closed()).toEqual({ kind: 'aborted' })
      expect(vi.getTimerCount()).toBe(0)
      expect(recording.records.map((c) => c.call)).toEqual(['opened', 'closed'])
    } finally {
      vi.useRealTimers()
    }
  })

  it.each([[{ pingInterval: 0 }], [{ pingInterval: Number.NaN }], [{ maxMessageBytes: -1 }]])(
    'rejects %o with invalid-option',
    (options) => {
      expect(() => websocket(options)).toThrow(expect.objectContaining({ code: 'invalid-option' }))
    },
  )
})

describe('WebSocket constructors', () => {
  it('uses an injected constructor', async () => {
    const urls: string[] = []
    class Injected extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        urls.push(url)
        super(url, protocols)
      }
    }
    const recording = createRecordingSink()
    websocket({ WebSocket: Injected }).open(connectRequest(server.url), recording.sink)
    const peer = await server.peer()
    await peer.message(0)
    peer.socket.send(': ok\n\n')
    await recording.waitFor('opened')
    expect(urls).toEqual([`ws://${server.url.host}/events?stream=prices`])
  })

  it('prefers a global WebSocket (here ws installed as globalThis.WebSocket) over loading ws', async () => {
    const urls: string[] = []
    class Global extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        urls.push(url)
        super(url, protocols)
      }
    }
    vi.stubGlobal('WebSocket', Global)
    try {
      const { recording } = await accepted()
      expect(recording.of('opened')).toHaveLength(1)
      expect(urls).toHaveLength(1)
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
