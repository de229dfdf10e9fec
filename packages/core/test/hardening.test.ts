import { scriptedTransport } from '@lifeline/testkit/doubles/scripted-transport'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type ConnectionEvents, createClient, type LifelineError } from '../src/index'

const url = 'http://127.0.0.1:1/events'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/**
 * Plays a server that answers every connection the same way, for `ms` of virtual time or
 * until it answered 100 connections (a loop would go on forever).
 */
function serveFor(ms: number, transport: ReturnType<typeof scriptedTransport>, answer: () => void) {
  let answered = 0
  for (let elapsed = 0; elapsed < ms && answered < 100; elapsed += 10) {
    // Whatever connects within this step is answered at once, as a real server would.
    while (
      answered < 100 &&
      !transport.last().isClosed &&
      !transport.last().log.includes('opened')
    ) {
      answer()
      answered++
    }
    vi.advanceTimersByTime(10)
  }
}

describe('hot reconnect loops (issue 15, item 5)', () => {
  it('a server that answers every request with the close event at once is not hammered', () => {
    const sse = scriptedTransport('sse')
    const client = createClient({ url, transports: [sse], environment: { random: () => 0.5 } })
    serveFor(10_000, sse, () => {
      sse.last().accept().send({ type: 'close', data: 'Connection closed' })
    })
    // The first close reconnects at once; from the second on, the backoff grows to 30 s.
    // Without the rule: a new request on every close, over a thousand here.
    expect(sse.connections.length).toBeLessThanOrEqual(8)
    expect(client.connection.diagnostics().failures['server-close']).toBeGreaterThan(0)
    client.close()
  })

  it('a server that sends retry: 0 and ends is not hammered', () => {
    const sse = scriptedTransport('sse')
    const client = createClient({ url, transports: [sse], environment: { random: () => 0.5 } })
    serveFor(10_000, sse, () => {
      sse.last().accept().retry(0).end()
    })
    expect(sse.connections.length).toBeLessThanOrEqual(8)
    client.close()
  })

  it('a server that sends its position block on every connection is never taken for a loop', () => {
    const sse = scriptedTransport('sse')
    const client = createClient({ url, transports: [sse], environment: { random: () => 0.5 } })
    for (let i = 0; i < 20; i++) sse.last().accept().position('1').send({ type: 'close', data: '' })
    // Each close reconnects at once: the stream delivered something every time.
    expect(client.connection.diagnostics().failures).toEqual({})
    expect(sse.connections).toHaveLength(21)
    // One watchdog, of the connection now open: none left behind by the 20 before it.
    expect(vi.getTimerCount()).toBe(1)
    client.close()
  })
})

describe('observability of failures (issue 15, item 8)', () => {
  it('a protocol error after the first byte is an error event, not only a state reason', () => {
    const sse = scriptedTransport('sse')
    const client = createClient({ url, transports: [sse] })
    const errors: LifelineError[] = []
    client.connection.on('error', (error) => errors.push(error))
    sse.last().accept().send({ id: '1' }).end({ kind: 'protocol', message: 'message too large' })
    expect(errors.map((error) => [error.code, error.reason])).toEqual([
      ['connection', { kind: 'protocol', message: 'message too large' }],
    ])
    // Not a failure of the attempt: it had delivered.
    expect(client.connection.diagnostics().failures).toEqual({})
    client.close()
  })
})

describe('bounded ids (issue 15, item 3)', () => {
  it('delivers an event whose id is too long, drops the resume point once and resumes fresh', () => {
    const sse = scriptedTransport('sse')
    const client = createClient({ url, transports: [sse], lastEventId: '1' })
    const gaps: ConnectionEvents['gap'][] = []
    client.connection.on('gap', (gap) => gaps.push(gap))
    const seen: (string | undefined)[] = []
    client.on('message', (event) => seen.push(event.data))
    const long = '✓'.repeat(70_000)
    sse
      .last()
      .accept()
      .send({ id: long, data: 'a' })
      .send({ id: `${long}2`, data: 'b' })
    expect(seen).toEqual(['a', 'b'])
    expect(client.connection.lastEventId).toBeUndefined()
    expect(gaps).toEqual([
      {
        lastEventId: '1',
        reason: { kind: 'protocol', message: 'an event id exceeds maxIdBytes (1024)' },
      },
    ])
    sse.last().end()
    vi.runOnlyPendingTimers()
    // The next connection carries no resume point: nothing too long is ever sent back.
    expect(sse.connections).toHaveLength(2)
    expect(sse.last().request.lastEventId).toBeUndefined()
    client.close()
  })

  it('protocol errors never drop a resume point (DESIGN): the client backs off and keeps it', () => {
    const ws = scriptedTransport('websocket')
    const client = createClient({
      url,
      transports: [ws],
      lastEventId: 'x'.repeat(1_000),
      environment: { random: () => 0 },
    })
    const gaps: ConnectionEvents['gap'][] = []
    client.connection.on('gap', (gap) => gaps.push(gap))
    // Closed 1009 on every hello: bounded ids (maxIdBytes) keep a hello small, so this is
    // a server fault, and the point the app holds is kept through resetAfter and beyond.
    for (let i = 0; i < 4; i++) {
      ws.last().end({
        kind: 'protocol',
        message: 'WebSocket closed with code 1009 (message too big)',
      })
      vi.runOnlyPendingTimers()
    }
    expect(gaps).toEqual([])
    expect(ws.last().request.lastEventId).toBe('x'.repeat(1_000))
    client.close()
  })

  it('rejects a lastEventId option longer than maxIdBytes', () => {
    expect(() =>
      createClient({ url, transports: [scriptedTransport()], lastEventId: 'é'.repeat(600) }),
    ).toThrow(expect.objectContaining({ code: 'invalid-option' }))
  })
})

describe('Node process lifetime (issue 15, item 6)', () => {
  /** The timers the client's default clock set while `run` ran, and whether each is ref'd. */
  function timersSetBy(run: () => void): boolean[] {
    const set = vi.spyOn(globalThis, 'setTimeout')
    run()
    const refs = set.mock.results.map((result) => (result.value as NodeJS.Timeout).hasRef())
    set.mockRestore()
    return refs
  }

  it("keeps the process alive while it waits: its timers are ref'd, as a socket is", () => {
    const sse = scriptedTransport('sse')
    let client: ReturnType<typeof createClient> | undefined
    const refs = timersSetBy(() => {
      client = createClient({ url, transports: [sse] })
      sse.last().accept().send({ id: '1' }).end()
    })
    // The attempt's watchdog and the wait before the next one.
    expect(refs.length).toBeGreaterThanOrEqual(2)
    expect(refs.every(Boolean)).toBe(true)
    client?.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it("keepProcessAlive: false unref's every timer it sets", () => {
    const sse = scriptedTransport('sse')
    let client: ReturnType<typeof createClient> | undefined
    const refs = timersSetBy(() => {
      client = createClient({ url, transports: [sse], keepProcessAlive: false })
      sse.last().accept().send({ id: '1' }).end()
    })
    expect(refs.length).toBeGreaterThanOrEqual(2)
    expect(refs.some(Boolean)).toBe(false)
    client?.close()
  })
})
