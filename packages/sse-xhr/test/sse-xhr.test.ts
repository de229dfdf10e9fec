import { type CloseReason, type ConnectRequest, LifelineError } from '@lifeline/core'
import { connectRequest } from '@lifeline/testkit/doubles/connect-request'
import { createRecordingSink, type RecordingSink } from '@lifeline/testkit/doubles/recording-sink'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SseXhrOptions } from '../src/options'
import { sseXhr } from '../src/sse-xhr'
import { FakeXhr, fakeXhr } from './fake-xhr'

const EVENTS_URL = 'http://127.0.0.1:9/events'

const SSE = { 'content-type': 'text/event-stream' }

/** What a recording holds so far: every call, the events, the close reasons. */
const readings = (recording: RecordingSink) => ({
  calls: recording.records,
  events: () => recording.of('event').map((r) => r.event),
  closed: () => recording.of('closed').map((r) => r.reason),
})

/** Opens the transport on a FakeXhr and waits for the request to be sent. */
async function open(options: SseXhrOptions = {}, req: ConnectRequest = connectRequest(EVENTS_URL)) {
  const recording = createRecordingSink()
  const xhrs = fakeXhr()
  const connection = sseXhr({ XMLHttpRequest: xhrs.XMLHttpRequest, ...options }).open(
    req,
    recording.sink,
  )
  await Promise.resolve()
  return { ...readings(recording), connection, xhr: xhrs.last() }
}

describe('sseXhr decoding', () => {
  it('is named sse-xhr', () => {
    expect(sseXhr().name).toBe('sse-xhr')
  })

  it('decodes only the new part of responseText on each progress event', async () => {
    const { xhr, events, calls } = await open()
    xhr.respond(200, SSE)
    xhr.push('id: 1\ndata: a')
    xhr.push('lpha\n\nid: 2\nda')
    xhr.push('ta: beta\n\n')
    expect(events()).toEqual([
      { type: 'message', data: 'alpha', id: '1' },
      { type: 'message', data: 'beta', id: '2' },
    ])
    expect(calls.filter((c) => c.call === 'activity')).toHaveLength(3)
  })

  it('delivers the same events however the stream is split', async () => {
    const stream =
      'retry: 500\n\nid: 1\nevent: price\ndata: 1.08\n\n: heartbeat\n\nid: 2\n\nid: 3\ndata: x\ndata: y\n\n'
    const whole = await open()
    whole.xhr.respond(200, SSE)
    whole.xhr.push(stream)
    const expected = whole.calls.filter((c) => c.call !== 'activity')
    expect(expected).toContainEqual({ call: 'id', lastEventId: '2' })
    expect(expected).toContainEqual({ call: 'retry', ms: 500 })

    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }),
        async (cuts) => {
          const split = await open()
          split.xhr.respond(200, SSE)
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length]
          for (let i = 1; i < points.length; i++)
            split.xhr.push(stream.slice(points[i - 1], points[i]))
          expect(split.calls.filter((c) => c.call !== 'activity')).toEqual(expected)
        },
      ),
      { seed: 7, numRuns: 60 },
    )
  })

  it('reports a message over maxMessageBytes as a protocol error and aborts', async () => {
    const { xhr, closed } = await open({ maxMessageBytes: 16 })
    xhr.respond(200, SSE)
    xhr.push(`data: ${'x'.repeat(40)}`)
    expect(closed()).toEqual([{ kind: 'protocol', message: expect.stringContaining('16') }])
    expect(xhr.aborted).toBe(true)
  })

  it("uses the client's maxMessageBytes when it is the lower one", async () => {
    const { xhr, closed } = await open({}, connectRequest(EVENTS_URL, { maxMessageBytes: 8 }))
    xhr.respond(200, SSE)
    xhr.push(`data: ${'x'.repeat(20)}`)
    expect(closed()[0]?.kind).toBe('protocol')
  })
})

describe('sseXhr recycling at maxResponseBytes', () => {
  const block = (id: number) => `id: ${id}\ndata: ${'x'.repeat(20)}\n\n`

  it('ends at the last complete block once responseText passes the limit', async () => {
    const { xhr, events, closed } = await open({ maxResponseBytes: 120 })
    xhr.respond(200, SSE)
    xhr.push(block(1) + block(2) + block(3))
    expect(closed()).toEqual([])
    // Crosses 120 characters (a block is 34): blocks 4 and 5 are complete, block 6 is cut off.
    xhr.push(block(4) + block(5) + block(6).slice(0, 10))
    expect(events().map((e) => e.id)).toEqual(['1', '2', '3', '4', '5'])
    expect(closed()).toEqual([{ kind: 'ended', recycled: true }])
    expect(xhr.aborted).toBe(true)
    expect(xhr.onprogress).toBeNull()
    expect(xhr.onreadystatechange).toBeNull()
  })

  it('never ends inside a block, so one event may exceed maxResponseBytes', async () => {
    const { xhr, events, closed } = await open({ maxResponseBytes: 50 })
    xhr.respond(200, SSE)
    xhr.push(`id: 1\ndata: ${'y'.repeat(80)}`)
    xhr.push('y'.repeat(80))
    expect(closed()).toEqual([])
    xhr.push('\n\nid: 2\ndata: partial')
    expect(events()).toEqual([{ type: 'message', data: 'y'.repeat(160), id: '1' }])
    expect(closed()).toEqual([{ kind: 'ended', recycled: true }])
  })

  it('counts an id-only block as a boundary', async () => {
    const { xhr, calls, closed } = await open({ maxResponseBytes: 10 })
    xhr.respond(200, SSE)
    xhr.push(': padding past the limit\n')
    expect(closed()).toEqual([])
    xhr.push('id: 9\n\n')
    expect(calls).toContainEqual({ call: 'id', lastEventId: '9' })
    expect(closed()).toEqual([{ kind: 'ended', recycled: true }])
  })

  it('delivers nothing after the recycle, whatever the request still does', async () => {
    const { xhr, events, closed } = await open({ maxResponseBytes: 10 })
    xhr.respond(200, SSE)
    xhr.push(block(1))
    xhr.push(block(2))
    xhr.end()
    expect(events().map((e) => e.id)).toEqual(['1'])
    expect(closed()).toEqual([{ kind: 'ended', recycled: true }])
  })
})

describe('sseXhr status and content type', () => {
  const cases: {
    name: string
    status: number
    headers: Record<string, string>
    opened: boolean
    reason: CloseReason
  }[] = [
    {
      name: '200 event stream, then end',
      status: 200,
      headers: SSE,
      opened: true,
      reason: { kind: 'ended' },
    },
    {
      name: '200 event stream with a charset',
      status: 200,
      headers: { 'content-type': 'Text/Event-Stream; charset=utf-8' },
      opened: true,
      reason: { kind: 'ended' },
    },
    { name: '204', status: 204, headers: {}, opened: false, reason: { kind: 'no-content' } },
    {
      name: '500',
      status: 500,
      headers: SSE,
      opened: false,
      reason: { kind: 'http', status: 500 },
    },
    {
      name: '201',
      status: 201,
      headers: SSE,
      opened: false,
      reason: { kind: 'http', status: 201 },
    },
    {
      name: '200 text/html',
      status: 200,
      headers: { 'content-type': 'text/html' },
      opened: false,
      reason: {
        kind: 'protocol',
        message: 'expected content-type text/event-stream, got text/html',
      },
    },
    {
      name: '200 without a content type',
      status: 200,
      headers: {},
      opened: false,
      reason: { kind: 'protocol', message: 'expected content-type text/event-stream, got none' },
    },
  ]

  it.each(cases)('maps $name', async ({ status, headers, opened, reason }) => {
    const { xhr, calls, closed } = await open()
    xhr.respond(status, headers)
    xhr.end()
    expect(calls.some((c) => c.call === 'opened')).toBe(opened)
    expect(closed()).toEqual([reason])
  })

  it('maps readyState 4 with status 0 to network', async () => {
    const { xhr, closed } = await open()
    xhr.fail()
    expect(closed()).toEqual([{ kind: 'network' }])
  })

  it('maps a drop after the stream opened to network', async () => {
    const { xhr, closed, events } = await open()
    xhr.respond(200, SSE)
    xhr.push('data: one\n\n')
    xhr.fail()
    expect(events()).toHaveLength(1)
    expect(closed()).toEqual([{ kind: 'network' }])
  })

  it('maps an error event alone to network', async () => {
    const { xhr, closed } = await open()
    xhr.onerror?.call(undefined as never, undefined as never)
    expect(closed()).toEqual([{ kind: 'network', error: undefined }])
  })

  it('reports activity only after the stream opened', async () => {
    const { xhr, calls } = await open()
    xhr.respond(200, SSE)
    xhr.push(': hi\n\n')
    expect(calls.map((c) => c.call)).toEqual(['opened', 'activity'])
  })
})

describe('sseXhr request', () => {
  it('sends the headers, Accept and the resume point', async () => {
    const headers = new Headers({ authorization: 'Bearer t' })
    const { xhr } = await open({}, connectRequest(EVENTS_URL, { headers, lastEventId: '42' }))
    expect(xhr.method).toBe('GET')
    expect(xhr.url).toBe('http://127.0.0.1:9/events')
    expect(Object.fromEntries(xhr.headers)).toEqual({
      authorization: 'Bearer t',
      accept: 'text/event-stream',
      'last-event-id': '42',
    })
    expect(xhr.mimeOverride).toBe('text/plain; charset=utf-8')
    expect(xhr.withCredentials).toBe(false)
    expect(xhr.body).toBeNull()
  })

  it('sends a non-ASCII resume point as its UTF-8 bytes', async () => {
    const { xhr } = await open({}, connectRequest(EVENTS_URL, { lastEventId: 'é-✓' }))
    const sent = xhr.headers.get('last-event-id') ?? ''
    expect(Buffer.from(sent, 'latin1').toString('utf8')).toBe('é-✓')
  })

  it.each([undefined, ''])('sends no Last-Event-ID for %j', async (lastEventId) => {
    const headers = new Headers({ 'last-event-id': 'stray' })
    const { xhr } = await open({}, connectRequest(EVENTS_URL, { headers, lastEventId }))
    expect(xhr.headers.has('last-event-id')).toBe(false)
  })

  it('asks for the whole history with from=start when the request says so', async () => {
    const { xhr } = await open({}, connectRequest(EVENTS_URL, { from: 'start' }))
    expect(xhr.url).toBe('http://127.0.0.1:9/events?from=start')
    expect(xhr.headers.has('last-event-id')).toBe(false)
  })

  it('applies url, withCredentials, method and body', async () => {
    const { xhr } = await open({
      url: 'https://api.example.com/stream?x=1',
      withCredentials: true,
      method: 'POST',
      body: '{"topics":["a"]}',
    })
    expect(xhr.url).toBe('https://api.example.com/stream?x=1')
    expect(xhr.withCredentials).toBe(true)
    expect(xhr.method).toBe('POST')
    expect(xhr.body).toBe('{"topics":["a"]}')
  })

  it('reports network when there is no XMLHttpRequest', async () => {
    const recording = createRecordingSink()
    const original = globalThis.XMLHttpRequest
    expect(original).toBeUndefined()
    sseXhr().open(connectRequest(EVENTS_URL), recording.sink)
    await Promise.resolve()
    const [reason] = readings(recording).closed()
    expect(reason?.kind).toBe('network')
    expect(reason?.kind === 'network' && reason.error).toBeInstanceOf(LifelineError)
  })

  it('reports network when the request cannot be built', async () => {
    const headers = new Headers()
    const recording = createRecordingSink()
    class Refusing extends FakeXhr {
      override setRequestHeader(): void {
        throw new SyntaxError('bad header')
      }
    }
    sseXhr({ XMLHttpRequest: fakeXhr(Refusing).XMLHttpRequest }).open(
      connectRequest(EVENTS_URL, { headers, lastEventId: '1' }),
      recording.sink,
    )
    await Promise.resolve()
    expect(readings(recording).closed()).toEqual([
      { kind: 'network', error: expect.any(SyntaxError) },
    ])
  })
})

describe('sseXhr close and abort', () => {
  it('close() aborts the request, removes its listeners and reports aborted once', async () => {
    const { xhr, connection, closed } = await open()
    xhr.respond(200, SSE)
    connection.close()
    connection.close()
    expect(xhr.aborted).toBe(true)
    expect(xhr.onreadystatechange).toBeNull()
    expect(xhr.onprogress).toBeNull()
    expect(xhr.onerror).toBeNull()
    expect(xhr.ontimeout).toBeNull()
    expect(closed()).toEqual([{ kind: 'aborted' }])
  })

  it('aborting the signal does the same as close()', async () => {
    const request = connectRequest(EVENTS_URL)
    const { xhr, closed } = await open({}, request)
    request.controller.abort()
    expect(xhr.aborted).toBe(true)
    expect(closed()).toEqual([{ kind: 'aborted' }])
  })

  it('creates no request for a signal aborted before open', async () => {
    const request = connectRequest(EVENTS_URL)
    request.controller.abort()
    const recording = createRecordingSink()
    const xhrs = fakeXhr()
    sseXhr({ XMLHttpRequest: xhrs.XMLHttpRequest }).open(request, recording.sink)
    await Promise.resolve()
    expect(xhrs.instances).toEqual([])
    expect(readings(recording).closed()).toEqual([{ kind: 'aborted' }])
  })

  it('close() before the request starts sends nothing', async () => {
    const recording = createRecordingSink()
    const xhrs = fakeXhr()
    sseXhr({ XMLHttpRequest: xhrs.XMLHttpRequest })
      .open(connectRequest(EVENTS_URL), recording.sink)
      .close()
    await Promise.resolve()
    expect(xhrs.instances).toEqual([])
    expect(readings(recording).closed()).toEqual([{ kind: 'aborted' }])
  })

  it('stops delivering when a handler closes the connection mid-chunk', async () => {
    let connection: { close(): void } | undefined
    const recording = createRecordingSink({ event: () => connection?.close() })
    const xhrs = fakeXhr()
    connection = sseXhr({ XMLHttpRequest: xhrs.XMLHttpRequest }).open(
      connectRequest(EVENTS_URL),
      recording.sink,
    )
    await Promise.resolve()
    xhrs.last().respond(200, SSE)
    xhrs.last().push('data: close\n\ndata: after\n\n')
    const { events, closed } = readings(recording)
    expect(events().map((e) => e.data)).toEqual(['close'])
    expect(closed()).toEqual([{ kind: 'aborted' }])
  })

  it('reports nothing more after the stream ended', async () => {
    const { xhr, connection, closed } = await open()
    xhr.respond(200, SSE)
    xhr.end()
    connection.close()
    expect(closed()).toEqual([{ kind: 'ended' }])
  })
})

describe('sseXhr options', () => {
  const invalid: [string, SseXhrOptions][] = [
    ['maxResponseBytes 0', { maxResponseBytes: 0 }],
    ['maxResponseBytes 1.5', { maxResponseBytes: 1.5 }],
    ['maxResponseBytes Infinity', { maxResponseBytes: Number.POSITIVE_INFINITY }],
    ['maxMessageBytes -1', { maxMessageBytes: -1 }],
    ['a ws: url', { url: 'ws://example.com/' }],
    ['a relative url without a page', { url: '/events' }],
    ['a method with a space', { method: 'G ET' }],
    ['a GET with a body', { body: 'x' }],
    ['withCredentials as a string', { withCredentials: 'yes' as unknown as boolean }],
    [
      'XMLHttpRequest that is not a constructor',
      { XMLHttpRequest: {} as NonNullable<SseXhrOptions['XMLHttpRequest']> },
    ],
  ]

  it.each(invalid)('rejects %s with invalid-option', (_name, options) => {
    expect(() => sseXhr(options)).toThrow(
      expect.objectContaining({ name: 'LifelineError', code: 'invalid-option' }),
    )
  })
})
