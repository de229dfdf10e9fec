import { LifelineError } from '@lifeline/core'
import {
  type ConnectRequestOverrides,
  connectRequest,
} from '@lifeline/testkit/doubles/connect-request'
import { createRecordingSink } from '@lifeline/testkit/doubles/recording-sink'
import { type ChunkServer, startChunkServer } from '@lifeline/testkit/wire/chunk-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SseFetchOptions, sseFetch } from '../src/index'

const encoder = new TextEncoder()

/** A fetch that answers from a stream the test drives, recording how it was called. */
function scriptedFetch() {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let cancelled = false
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
    },
    cancel() {
      cancelled = true
    },
  })
  const calls: Array<{ url: string; init: RequestInit | undefined }> = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init })
    // Ignores init.signal on purpose, as some polyfills do.
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
  }
  return {
    fetch,
    calls,
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    get cancelled() {
      return cancelled
    },
  }
}

describe('sseFetch options', () => {
  const invalid: Array<[string, SseFetchOptions]> = [
    ['a relative url', { url: '/events' }],
    ['a ws: url', { url: 'ws://127.0.0.1/events' }],
    ['credentials in the url', { url: 'https://user:secret@example.com/events' }],
    ['a fetch that is not a function', { fetch: 'fetch' as unknown as typeof fetch }],
    ['a method that is not a token', { method: 'GET EVENTS' }],
    ['a body with GET', { body: 'x' }],
    ['a stream body', { method: 'POST', body: new ReadableStream() as unknown as string }],
    ['unknown credentials', { credentials: 'always' as RequestCredentials }],
    ['an invalid header name', { headers: { 'bad header': 'x' } }],
    ['zero maxMessageBytes', { maxMessageBytes: 0 }],
    ['fractional maxMessageBytes', { maxMessageBytes: 1.5 }],
  ]
  it.each(invalid)('rejects %s with invalid-option', (_name, options) => {
    let thrown: unknown
    try {
      sseFetch(options)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(LifelineError)
    expect((thrown as LifelineError).code).toBe('invalid-option')
  })

  it('is named sse-fetch', () => {
    expect(sseFetch().name).toBe('sse-fetch')
  })
})

describe('sseFetch requests', () => {
  let server: ChunkServer
  beforeAll(async () => {
    server = await startChunkServer(() => ({ chunks: [] }))
  })
  afterAll(async () => {
    await server.close()
  })

  async function sent(options: SseFetchOptions, more: ConnectRequestOverrides = {}) {
    const before = server.requests.length
    const recording = createRecordingSink()
    sseFetch(options).open(connectRequest(server.url('/events'), more), recording.sink)
    expect(await recording.closed()).toEqual({ kind: 'ended' })
    expect(server.requests.length).toBe(before + 1)
    const received = server.requests[before]
    if (received === undefined) throw new Error('no request arrived')
    return received
  }

  it('asks for an event stream, uncached, with no resume point when there is none', async () => {
    const { method, headers } = await sent({})
    expect(method).toBe('GET')
    expect(headers.accept).toBe('text/event-stream')
    expect(headers['cache-control']).toBe('no-cache')
    expect(headers['last-event-id']).toBeUndefined()
  })

  it('sends Last-Event-ID only for a non-empty resume point', async () => {
    expect((await sent({}, { lastEventId: '42' })).headers['last-event-id']).toBe('42')
    expect((await sent({}, { lastEventId: '' })).headers['last-event-id']).toBeUndefined()
  })

  it('asks for the whole history with from=start when the client says so and has no resume point', async () => {
    const fresh = await sent({}, { from: 'start' })
    expect(fresh.path).toBe('/events?from=start')
    expect(fresh.headers['last-event-id']).toBeUndefined()
    expect((await sent({})).path).toBe('/events')
  })

  it("lets the client's headers win over the adapter's, and keeps the protocol's own", async () => {
    const { headers } = await sent(
      { headers: { 'x-app': 'adapter', authorization: 'adapter', accept: 'text/html' } },
      { headers: new Headers({ authorization: 'Bearer client', 'last-event-id': 'stray' }) },
    )
    expect(headers['x-app']).toBe('adapter')
    expect(headers.authorization).toBe('Bearer client')
    expect(headers.accept).toBe('text/event-stream')
    expect(headers['last-event-id']).toBeUndefined()
  })

  it('sends a POST body on every attempt', async () => {
    const options: SseFetchOptions = {
      method: 'POST',
      body: '{"prompt":"hi"}',
      headers: { 'content-type': 'application/json' },
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      const { method, headers } = await sent(options)
      expect(method).toBe('POST')
      expect(headers['content-length']).toBe(String('{"prompt":"hi"}'.length))
    }
  })

  it("connects to its own url option over the client's", async () => {
    const recording = createRecordingSink()
    const own = server.url('/own')
    sseFetch({ url: own }).open(connectRequest('http://127.0.0.1:9/unused'), recording.sink)
    expect(await recording.closed()).toEqual({ kind: 'ended' })
    expect(server.requests.at(-1)?.path).toBe('/own')
  })
})

describe('sseFetch streaming', () => {
  it('reports activity for every chunk, before what the chunk carries', async () => {
    const script = scriptedFetch()
    const recording = createRecordingSink()
    sseFetch({ fetch: script.fetch }).open(connectRequest('http://example.test/'), recording.sink)
    await recording.waitFor('opened')
    script.push(': heartbeat\n\n')
    await recording.waitFor('activity')
    script.push('data: a\n\ndata: b\n\n')
    await recording.waitFor((r) => r.call === 'event' && r.event.data === 'b')
    script.push('data: c\n\n')
    script.end()
    await recording.closed()
    expect(recording.records.map((r) => (r.call === 'event' ? r.event.data : r.call))).toEqual([
      'opened',
      'activity',
      'activity',
      'a',
      'b',
      'activity',
      'c',
      'closed',
    ])
  })

  it('releases the body through its reader when a custom fetch ignores the signal', async () => {
    const script = scriptedFetch()
    const recording = createRecordingSink()
    const connection = sseFetch({ fetch: script.fetch }).open(
      connectRequest('http://example.test/'),
      recording.sink,
    )
    script.push('data: a\n\n')
    await recording.waitFor('event')
    connection.close()
    expect(await recording.closed()).toEqual({ kind: 'aborted' })
    expect(script.cancelled).toBe(true)
  })

  it('reports nothing more once the sink closed the connection from inside a callback', async () => {
    const script = scriptedFetch()
    const recording = createRecordingSink({ event: () => connection.close() })
    const connection = sseFetch({ fetch: script.fetch }).open(
      connectRequest('http://example.test/'),
      recording.sink,
    )
    script.push('data: first\n\ndata: second\n\nid: 3\n\n')
    await recording.closed()
    expect(recording.records.filter((r) => r.call !== 'activity')).toEqual([
      { call: 'opened' },
      { call: 'event', event: { type: 'message', data: 'first', id: undefined } },
      { call: 'closed', reason: { kind: 'aborted' } },
    ])
  })

  it('lowers the limit with its maxMessageBytes option, never raises it', async () => {
    const big = `data: ${'x'.repeat(300)}\ndata: ${'x'.repeat(300)}\n\n`
    for (const [option, limit, expected] of [
      [512, 1_048_576, 'protocol'],
      [1_048_576, 512, 'protocol'],
      [4096, 1_048_576, 'ended'],
    ] as const) {
      const script = scriptedFetch()
      const recording = createRecordingSink()
      sseFetch({ fetch: script.fetch, maxMessageBytes: option }).open(
        connectRequest('http://example.test/', { maxMessageBytes: limit }),
        recording.sink,
      )
      script.push(big)
      script.end()
      expect((await recording.closed()).kind).toBe(expected)
    }
  })

  it('closes with protocol for a single-line message over the limit that arrives whole', async () => {
    const script = scriptedFetch()
    const recording = createRecordingSink()
    sseFetch({ fetch: script.fetch }).open(
      connectRequest('http://example.test/', { maxMessageBytes: 512 }),
      recording.sink,
    )
    script.push(`data: ${'x'.repeat(2048)}\n\n`)
    script.end()
    expect((await recording.closed()).kind).toBe('protocol')
    expect(recording.records.some((r) => r.call === 'event')).toBe(false)
  })
})
