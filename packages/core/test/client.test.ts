import { scriptedTransport } from '@lifeline/testkit/doubles/scripted-transport'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  type ClientOptions,
  type ConnectionEvents,
  createClient,
  type LifecycleSignal,
  LifelineError,
  type StreamEvent,
  type Transport,
  type TransportSink,
} from '../src/index'

const url = 'http://127.0.0.1:1/events'

function setup(options: Partial<ClientOptions> = {}, names = ['a', 'b']) {
  const transports = names.map((name) => scriptedTransport(name))
  const client = createClient({
    url,
    transports,
    environment: { random: () => 0.5 },
    backoff: { initial: 100, max: 1_000 },
    connectTimeout: 1_000,
    firstByteTimeout: 1_000,
    heartbeatTimeout: 5_000,
    ...options,
  })
  const events: StreamEvent[] = []
  client.on('*', (_type, event) => events.push(event))
  const seen: { [K in keyof ConnectionEvents]?: ConnectionEvents[K][] } = {}
  for (const type of ['state', 'transport', 'gap', 'resumed', 'retry', 'error'] as const) {
    const list: unknown[] = []
    seen[type] = list as never
    client.connection.on(type, (event) => {
      list.push(event)
    })
  }
  const ids = () => events.map((event) => event.id)
  return { client, transports, events, ids, seen, a: transports[0]!, b: transports[1]! }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('createClient', () => {
  it('connects on creation and delivers events with the spec last event id', async () => {
    const { a, events, client } = setup()
    await vi.advanceTimersByTimeAsync(0)
    expect(client.connection.state).toBe('connecting')
    a.last().accept()
    expect(client.connection.state).toBe('open')
    a.last()
      .send({ id: '1', data: 'x' })
      .send({ data: 'no id' })
      .send({ type: 'price', id: '2', data: 'y' })
    expect(events).toEqual([
      { type: 'message', data: 'x', id: '1', lastEventId: '1', transport: 'a' },
      { type: 'message', data: 'no id', id: undefined, lastEventId: '1', transport: 'a' },
      { type: 'price', data: 'y', id: '2', lastEventId: '2', transport: 'a' },
    ])
    expect(client.connection.lastEventId).toBe('2')
    client.close()
  })

  it('delivers to handlers of that type only, and off removes them', async () => {
    const { a, client } = setup()
    const prices: string[] = []
    const handler = (event: StreamEvent) => prices.push(event.data)
    client.on('price', handler)
    a.last().accept().send({ type: 'price', data: '1' }).send({ data: 'not a price' })
    client.off('price', handler)
    a.last().send({ type: 'price', data: '2' })
    expect(prices).toEqual(['1'])
    client.close()
  })

  it('stays idle with connect: false until connect()', () => {
    const { a, client } = setup({ connect: false })
    expect(client.connection.state).toBe('idle')
    expect(a.connections).toHaveLength(0)
    client.connect()
    expect(a.connections).toHaveLength(1)
    client.connect()
    expect(a.connections).toHaveLength(1)
    client.close()
  })

  it('sends the resume point and resolves headers before every connect', async () => {
    let n = 0
    const { a, client } = setup({
      lastEventId: '41',
      headers: async () => ({ authorization: `t${++n}` }),
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(a.last().request.lastEventId).toBe('41')
    expect(a.last().request.headers.get('authorization')).toBe('t1')
    a.last().accept().send({ id: '42', data: 'x' }).end()
    await vi.advanceTimersByTimeAsync(100)
    expect(a.connections).toHaveLength(2)
    expect(a.last().request.lastEventId).toBe('42')
    expect(a.last().request.headers.get('authorization')).toBe('t2')
    client.close()
  })

  it('reconnects at once from the resume point after a planned recycle, with no retry', () => {
    const { a, client, seen } = setup({}, ['a'])
    a.last().accept().send({ id: '7', data: 'x' }).end({ kind: 'ended', recycled: true })
    expect(a.connections).toHaveLength(2)
    expect(a.last().request.lastEventId).toBe('7')
    expect(seen.retry).toEqual([])
    client.close()
  })

  it('reports a failed attempt as a connection error carrying the transport reason', () => {
    const { a, client, seen } = setup({}, ['a'])
    a.last().accept().end({ kind: 'ended' })
    vi.advanceTimersByTime(seen.retry?.[0]?.ms ?? 0)
    expect(a.connections).toHaveLength(2)
    a.last().end({ kind: 'http', status: 502 })
    expect(seen.error?.map((error) => [error.code, error.reason])).toEqual([
      ['connection', { kind: 'ended' }],
      ['connection', { kind: 'http', status: 502 }],
    ])
    client.close()
  })

  it('re-resolves headers once on 401; a second 401 is final, with a typed error', async () => {
    let n = 0
    const { a, client, seen } = setup({ headers: () => ({ authorization: `t${++n}` }) }, ['a'])
    a.last().end({ kind: 'http', status: 401 })
    expect(a.connections).toHaveLength(2)
    expect(a.last().request.headers.get('authorization')).toBe('t2')
    expect(seen.error).toEqual([])
    a.last().end({ kind: 'http', status: 401 })
    expect(a.connections).toHaveLength(2)
    expect(seen.retry).toEqual([])
    expect(client.connection.state).toBe('closed')
    expect(seen.error?.map((error) => [error.code, error.reason])).toEqual([
      ['unauthorized', { kind: 'http', status: 401 }],
    ])
    expect(client.connection.diagnostics().failures).toEqual({ http: 1 })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('drops repeated ids: a replay overlapping what was delivered', () => {
    const { a, ids, client } = setup()
    a.last().accept().send({ id: '1' }).send({ id: '2' }).end()
    vi.advanceTimersByTime(100)
    a.last().accept().send({ id: '1' }).send({ id: '2' }).send({ id: '3' })
    expect(ids()).toEqual(['1', '2', '3'])
    expect(client.connection.diagnostics().duplicates).toBe(2)
    client.close()
  })

  it('an empty id clears the resume point and is never a duplicate', () => {
    const { a, events, client } = setup()
    a.last().accept().send({ id: '1' }).send({ id: '', data: 'a' }).send({ id: '', data: 'b' })
    expect(client.connection.lastEventId).toBeUndefined()
    expect(events.map((event) => [event.id, event.lastEventId])).toEqual([
      ['1', '1'],
      ['', ''],
      ['', ''],
    ])
    client.close()
  })

  it('moves the resume point on the position block and reports the resume with its replay count', () => {
    const { a, client, seen } = setup({ lastEventId: '5' })
    return vi.advanceTimersByTimeAsync(0).then(() => {
      a.last().accept().send({ id: '6' }).send({ id: '7' }).position('7').send({ id: '8' })
      expect(seen.resumed).toEqual([{ replayed: 2 }])
      expect(client.connection.lastEventId).toBe('8')
      client.close()
    })
  })

  it('a fresh connection learns its resume point from the position block alone', () => {
    const { a, client, seen } = setup()
    a.last().accept().position('100')
    expect(client.connection.lastEventId).toBe('100')
    expect(seen.resumed).toEqual([])
    a.last().end({ kind: 'network' })
    vi.advanceTimersByTime(100)
    expect(a.last().request.lastEventId).toBe('100')
    client.close()
  })

  it('a handler that throws does not break delivery and is reported', () => {
    const { a, events, seen, client } = setup()
    client.on('message', () => {
      throw new Error('app bug')
    })
    a.last().accept().send({ id: '1' }).send({ id: '2' })
    expect(events).toHaveLength(2)
    expect(seen.error?.map((error) => error.code)).toEqual(['handler', 'handler'])
    expect(seen.error?.[0]).toBeInstanceOf(LifelineError)
    client.close()
  })

  it('async iteration yields every event and ends on close', async () => {
    const { a, client } = setup()
    a.last().accept().send({ id: '1' }).send({ id: '2' })
    const received: (string | undefined)[] = []
    const loop = (async () => {
      for await (const event of client) received.push(event.id)
    })()
    a.last().send({ id: '3' })
    await vi.advanceTimersByTimeAsync(0)
    client.close()
    await loop
    expect(received).toEqual(['3'])
  })

  it('async iteration buffers events until the loop asks for them', async () => {
    const { a, client } = setup()
    const iterator = client[Symbol.asyncIterator]()
    a.last().accept().send({ id: '1' }).send({ id: '2' })
    expect((await iterator.next()).value?.id).toBe('1')
    expect((await iterator.next()).value?.id).toBe('2')
    client.close()
    expect((await iterator.next()).done).toBe(true)
  })

  it('close leaves no timer and no open connection', () => {
    const { a, b, client, seen } = setup()
    a.last().accept().send({ id: '1' }).end()
    client.close()
    expect(client.connection.state).toBe('closed')
    expect(vi.getTimerCount()).toBe(0)
    expect([...a.live(), ...b.live()]).toHaveLength(0)
    expect(seen.state?.at(-1)).toEqual({
      from: 'reconnecting',
      to: 'closed',
      reason: { kind: 'close' },
    })
  })

  it.each([
    [
      'throws from open()',
      () => {
        throw new TypeError('bad url')
      },
    ],
    [
      'reports closed from inside open()',
      (sink: TransportSink) => sink.closed({ kind: 'network' }),
    ],
  ])('retries a transport that %s', (_label, misbehave) => {
    let opens = 0
    const broken: Transport = {
      name: 'broken',
      open(_request, sink) {
        opens++
        misbehave(sink)
        return { close() {} }
      },
    }
    const client = createClient({
      url,
      transports: [broken],
      backoff: { initial: 100, max: 100 },
      environment: { random: () => 0.99 },
    })
    expect(client.connection.state).toBe('reconnecting')
    vi.advanceTimersByTime(100)
    expect(opens).toBe(2)
    client.close()
  })

  it('a connection the client abandoned is inert', () => {
    const { a, b, ids, client, seen } = setup({ strategy: { fallbackAfter: 1 } })
    const first = a.last()
    first.accept()
    first.sink.closed({ kind: 'network' })
    expect(b.connections).toHaveLength(1)
    // Late calls of the abandoned connection: ignored.
    first.sink.opened()
    first.sink.activity()
    first.sink.event({ type: 'message', data: 'late', id: '9' })
    first.sink.id('9')
    first.sink.closed({ kind: 'ended' })
    expect(ids()).toEqual([])
    expect(client.connection.lastEventId).toBeUndefined()
    expect(client.connection.transport).toBe('b')
    expect(seen.transport).toEqual([{ from: 'a', to: 'b', reason: { kind: 'network' } }])
    client.close()
  })
})

describe('remedies', () => {
  it('remedy 1: the close event reconnects at once with the resume point', () => {
    const { a, events, client, seen } = setup()
    a.last().accept().send({ id: '1' }).send({ type: 'close', data: 'Connection closed', id: '2' })
    expect(events.map((event) => event.id)).toEqual(['1'])
    expect(a.connections).toHaveLength(2)
    expect(a.last().request.lastEventId).toBe('2')
    expect(seen.retry).toEqual([])
    expect(seen.state?.at(-1)?.reason).toEqual({ kind: 'server-close' })
    client.close()
  })

  it('remedy 1: close data retry spreads the reconnect; reconnect:false stops', () => {
    const { a, client, seen } = setup({ backoff: { initial: 100, max: 10_000 } })
    a.last().accept().send({ type: 'close', data: '{"reconnect":true,"retry":2000}' })
    expect(seen.retry).toEqual([{ ms: 1500 }])
    vi.advanceTimersByTime(1500)
    a.last().accept().send({ type: 'close', data: '{"reconnect":false}' })
    expect(client.connection.state).toBe('closed')
    expect(vi.getTimerCount()).toBe(0)
  })

  it("with closeEvent: false an event named 'close' is ordinary", () => {
    const { a, events, client } = setup({ strategy: 'none' })
    a.last().accept().send({ type: 'close', data: 'bye' })
    expect(events.map((event) => event.type)).toEqual(['close'])
    expect(a.connections).toHaveLength(1)
    client.close()
  })

  it('remedy 2: a reset control event drops the resume point, emits gap once, and goes on', () => {
    const { a, ids, client, seen } = setup({ lastEventId: 'old-7' })
    return vi.advanceTimersByTimeAsync(0).then(() => {
      a.last().accept().send({ type: 'reset' }).position('e2-0').send({ id: 'e2-1' })
      expect(seen.gap).toEqual([{ lastEventId: 'old-7', reason: { kind: 'reset' } }])
      expect(ids()).toEqual(['e2-1'])
      expect(seen.resumed).toEqual([])
      expect(client.connection.lastEventId).toBe('e2-1')
      client.close()
    })
  })

  it('remedy 2: a reset in the middle of a live stream (storage lost it) keeps the connection', () => {
    const { a, ids, client, seen } = setup()
    a.last().accept().send({ id: 'h1-1' }).send({ id: 'h1-2' })
    a.last().send({ type: 'reset' }).position('h2-0').send({ id: 'h1-1' })
    expect(seen.gap).toEqual([{ lastEventId: 'h1-2', reason: { kind: 'reset' } }])
    // The window was cleared with the history: an id of the new one is never a duplicate.
    expect(ids()).toEqual(['h1-1', 'h1-2', 'h1-1'])
    expect(client.connection.lastEventId).toBe('h1-1')
    expect(client.connection.state).toBe('open')
    expect(a.connections).toHaveLength(1)
    client.close()
  })

  it('remedy 2: resetAfter failed resumes drop the resume point and connect fresh', async () => {
    const { a, client, seen } = setup({ lastEventId: 'stale' }, ['a'])
    await vi.advanceTimersByTimeAsync(0)
    a.last().end({ kind: 'http', status: 500 })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(a.last().request.lastEventId).toBe('stale')
    a.last().end({ kind: 'http', status: 500 })
    await vi.advanceTimersByTimeAsync(0)
    expect(seen.gap).toEqual([{ lastEventId: 'stale', reason: { kind: 'http', status: 500 } }])
    expect(a.last().request.lastEventId).toBeUndefined()
    client.close()
  })

  it('remedy 3: falls back after fallbackAfter failures and upgrades back once the probe delivers', () => {
    const { a, b, ids, client, seen } = setup({ strategy: { upgradeAfter: 10_000 } })
    for (let i = 0; i < 3; i++) {
      a.last().end({ kind: 'http', status: 502 })
      if (i < 2) vi.advanceTimersByTime(1_000)
    }
    expect(client.connection.transport).toBe('b')
    b.last().accept().send({ id: '1' }).send({ id: '2' })
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(2_000)
      b.last().heartbeat()
    }
    const probe = a.last()
    expect(a.connections).toHaveLength(4)
    expect(probe.request.lastEventId).toBe('2')
    probe.accept()
    b.last().send({ id: '3' })
    expect(client.connection.transport).toBe('b')
    // The probe's replay overlaps what b delivered: no duplicate, no loss.
    probe.send({ id: '3' }).send({ id: '4' })
    expect(client.connection.transport).toBe('a')
    b.connections[0]!.sink.event({ type: 'message', data: 'late', id: '5' })
    probe.send({ id: '5' })
    expect(ids()).toEqual(['1', '2', '3', '4', '5'])
    expect(seen.transport?.map((event) => [event.to, event.reason?.kind])).toEqual([
      ['b', 'http'],
      ['a', 'upgrade'],
    ])
    expect(b.live()).toHaveLength(0)
    client.close()
  })

  it('remedy 3: after an upgrade, the promoted connection is an ordinary one: its drop reconnects', () => {
    const { a, b, ids, client } = setup({ strategy: { upgradeAfter: 1_000 } })
    a.last().accept()
    vi.advanceTimersByTime(1_000)
    b.last().accept().send({ id: '1' })
    vi.advanceTimersByTime(1_000)
    const probe = a.last()
    probe.accept().send({ id: '2' })
    expect(client.connection.transport).toBe('a')
    probe.end({ kind: 'network' })
    expect(client.connection.state).toBe('reconnecting')
    vi.advanceTimersByTime(100)
    expect(a.last()).not.toBe(probe)
    expect(a.last().request.lastEventId).toBe('2')
    a.last().accept().send({ id: '3' })
    expect(ids()).toEqual(['1', '2', '3'])
    client.close()
  })

  it('remedy 3: a control event on the probe fails it and the fallback stays', () => {
    const { a, b, client } = setup({ strategy: { upgradeAfter: 1_000 } })
    a.last().accept()
    vi.advanceTimersByTime(1_000)
    b.last().accept().send({ id: '1' })
    vi.advanceTimersByTime(1_000)
    a.last().accept().send({ type: 'reset' })
    expect(client.connection.transport).toBe('b')
    expect(a.live()).toHaveLength(0)
    vi.advanceTimersByTime(1_000)
    expect(a.live()).toHaveLength(1)
    client.close()
  })

  it('HTTP 204 stops for good', () => {
    const { a, client } = setup()
    a.last().end({ kind: 'no-content' })
    expect(client.connection.state).toBe('closed')
    vi.advanceTimersByTime(60_000)
    expect(a.connections).toHaveLength(1)
  })
})

describe('watchdogs', () => {
  it('no acceptance within connectTimeout → timeout', () => {
    const { a, client, seen } = setup({}, ['a'])
    vi.advanceTimersByTime(999)
    expect(a.last().isClosed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(a.last().isClosed).toBe(true)
    expect(seen.state?.at(-1)?.reason).toEqual({ kind: 'timeout' })
    client.close()
  })

  it('accepted but silent for firstByteTimeout → buffered, which falls back at once', () => {
    const { a, client } = setup()
    a.last().accept()
    vi.advanceTimersByTime(1_000)
    expect(client.connection.transport).toBe('b')
    expect(client.connection.diagnostics().failures.buffered).toBe(1)
    client.close()
  })

  it('no byte for heartbeatTimeout → stall; heartbeats keep it alive', () => {
    const { a, client } = setup({}, ['a'])
    a.last().accept().heartbeat()
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(4_000)
      a.last().heartbeat()
    }
    expect(a.connections).toHaveLength(1)
    vi.advanceTimersByTime(5_000)
    expect(a.connections[0]!.isClosed).toBe(true)
    expect(client.connection.diagnostics().failures.stall).toBe(1)
    client.close()
  })
})

describe('lifecycle', () => {
  function lifecycle() {
    let listener: (signal: LifecycleSignal) => void = () => {}
    let online = true
    return {
      source: {
        isOnline: () => online,
        subscribe(next: (signal: LifecycleSignal) => void) {
          listener = next
          return () => {
            listener = () => {}
          }
        },
      },
      fire: (signal: LifecycleSignal) => {
        if (signal === 'offline') online = false
        if (signal === 'online') online = true
        listener(signal)
      },
    }
  }

  it('offline drops the connection and waits; online reconnects now', () => {
    const life = lifecycle()
    const { a, client } = setup({ environment: { lifecycle: life.source } })
    a.last().accept().send({ id: '1' })
    life.fire('offline')
    expect(client.connection.state).toBe('reconnecting')
    expect(a.live()).toHaveLength(0)
    vi.advanceTimersByTime(60_000)
    expect(a.connections).toHaveLength(1)
    life.fire('online')
    expect(a.connections).toHaveLength(2)
    expect(a.last().request.lastEventId).toBe('1')
    client.close()
  })

  it('pagehide drops the connection (reconnecting, not closed); pageshow reconnects', () => {
    const life = lifecycle()
    const { a, client } = setup({ environment: { lifecycle: life.source } })
    a.last().accept()
    life.fire('pagehide')
    expect(client.connection.state).toBe('reconnecting')
    life.fire('pageshow')
    expect(a.connections).toHaveLength(2)
    client.close()
  })

  it('a page made visible again retries at once', () => {
    const life = lifecycle()
    const { a, client } = setup({ environment: { lifecycle: life.source } }, ['a'])
    a.last().end({ kind: 'network' })
    expect(a.connections).toHaveLength(1)
    life.fire('visible')
    expect(a.connections).toHaveLength(2)
    client.close()
  })

  it('close unsubscribes from the lifecycle', () => {
    const life = lifecycle()
    const { a, client } = setup({ environment: { lifecycle: life.source } })
    client.close()
    life.fire('online')
    expect(a.connections).toHaveLength(1)
  })
})

describe('options', () => {
  it('resolves a relative url against the page, as EventSource does', () => {
    vi.stubGlobal('location', { href: 'https://app.example.com/dashboard/' })
    try {
      const transport = scriptedTransport()
      const client = createClient({ url: '/events?room=1', transports: [transport] })
      expect(transport.last().request.url.href).toBe('https://app.example.com/events?room=1')
      client.close()
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it.each<[string, Partial<ClientOptions>]>([
    ['a non-http url', { url: 'ftp://x' }],
    ['no transports', { transports: [] }],
    ['a negative timeout', { heartbeatTimeout: -1 }],
    ['an unknown preset', { strategy: 'fastest' as never }],
    ['a fractional resetAfter', { strategy: { resetAfter: 1.5 } }],
    ['closeEvent reset', { strategy: { closeEvent: 'reset' } }],
    ['a backoff factor below 1', { backoff: { factor: 0.5 } }],
  ])('rejects %s with invalid-option', (_label, options) => {
    expect(() => createClient({ url, transports: [scriptedTransport()], ...options })).toThrowError(
      expect.objectContaining({ code: 'invalid-option' }),
    )
  })
})
