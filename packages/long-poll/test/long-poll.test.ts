import { LifelineError } from '@lifeline/core'
import { connectRequest } from '@lifeline/testkit/doubles/connect-request'
import { createRecordingSink } from '@lifeline/testkit/doubles/recording-sink'
import {
  type ChunkReply,
  type ChunkServer,
  startChunkServer,
} from '@lifeline/testkit/wire/chunk-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_HOLD_MS, type LongPollOptions, longPoll } from '../src/index'

let reply: ChunkReply = { chunks: [] }
let server: ChunkServer
beforeAll(async () => {
  server = await startChunkServer(() => reply)
})
afterAll(async () => {
  await server.close()
})

/** Runs one poll against the chunk server and resolves with what the sink recorded. */
async function poll(answer: ChunkReply, options: LongPollOptions = {}, more = {}) {
  reply = answer
  const recording = createRecordingSink()
  longPoll(options).open(connectRequest(server.url('/events'), more), recording.sink)
  const reason = await recording.closed()
  const request = server.requests.at(-1)
  if (request === undefined) throw new Error('no poll arrived')
  return { reason, request, recording, query: new URL(request.path, 'http://x').searchParams }
}

describe('longPoll options', () => {
  it.each<[string, LongPollOptions]>([
    ['a zero hold', { hold: 0 }],
    ['a fractional hold', { hold: 1.5 }],
    ['a ws: url', { url: 'ws://127.0.0.1/events' }],
    ['a fetch that is not a function', { fetch: 'fetch' as unknown as typeof fetch }],
    ['unknown credentials', { credentials: 'always' as RequestCredentials }],
    ['an invalid header name', { headers: { 'bad header': 'x' } }],
    ['zero maxMessageBytes', { maxMessageBytes: 0 }],
  ])('rejects %s with invalid-option', (_name, options) => {
    expect(() => longPoll(options)).toThrow(LifelineError)
    expect(() => longPoll(options)).toThrow(expect.objectContaining({ code: 'invalid-option' }))
  })

  it('is named long-poll', () => {
    expect(longPoll().name).toBe('long-poll')
  })
})

describe('longPoll requests (DESIGN: long-poll wire)', () => {
  it('asks with transport=long-poll, the hold and the resume point in the query, no preflight headers', async () => {
    const { query, request } = await poll({ chunks: ['id: 9\n\n'] }, {}, { lastEventId: '8' })
    expect(query.get('transport')).toBe('long-poll')
    expect(query.get('hold')).toBe(String(DEFAULT_HOLD_MS))
    expect(query.get('lastEventId')).toBe('8')
    expect(request.method).toBe('GET')
    expect(request.headers.accept).toBe('text/event-stream')
    // Nothing an author adds that is not CORS-safelisted: a cross-origin poll needs no
    // preflight. (fetch itself adds cache-control: no-cache for cache mode no-store.)
    expect(request.headers['last-event-id']).toBeUndefined()
  })

  it('sends no resume point when there is none, and from=start when asked for the history', async () => {
    const fresh = await poll({ chunks: ['id: 1\n\n'] }, {}, { from: 'start' })
    expect(fresh.query.has('lastEventId')).toBe(false)
    expect(fresh.query.get('from')).toBe('start')
  })

  it('asks for at most half of the smaller watchdog limit', async () => {
    const { query } = await poll(
      { chunks: ['id: 1\n\n'] },
      { hold: 20_000 },
      { timeouts: { connect: 10_000, firstByte: 3_000 } },
    )
    expect(query.get('hold')).toBe('1500')
  })
})

describe('longPoll responses', () => {
  it('reports a poll that delivered as a planned recycle, after its events and position', async () => {
    const { reason, recording } = await poll({
      chunks: ['retry: 1000\n\n', 'id: 1\ndata: a\n\n', 'id: 2\n\n'],
    })
    expect(reason).toEqual({ kind: 'ended', recycled: true })
    expect(recording.records.map((r) => r.call)).toEqual([
      'opened',
      'activity',
      'retry',
      'activity',
      'event',
      'activity',
      'id',
      'closed',
    ])
  })

  it('reports a poll that delivered nothing as a plain end: the client guards against loops', async () => {
    expect((await poll({ chunks: [': nothing\n\n'] })).reason).toEqual({ kind: 'ended' })
    expect((await poll({ chunks: [] })).reason).toEqual({ kind: 'ended' })
  })

  it.each<[string, ChunkReply, unknown]>([
    ['204: stop for good', { status: 204 }, { kind: 'no-content' }],
    ['another status', { status: 503 }, { kind: 'http', status: 503 }],
    [
      'another content type',
      { headers: { 'content-type': 'text/html' }, chunks: ['<html>'] },
      { kind: 'protocol', message: 'expected content-type text/event-stream, got text/html' },
    ],
    [
      'a cut connection',
      { chunks: ['id: 1\ndata: a'], after: 'destroy' },
      { kind: 'network', error: expect.anything() },
    ],
  ])('maps %s', async (_label, answer, reason) => {
    expect((await poll(answer)).reason).toEqual(reason)
  })

  it('closes with protocol for a message over maxMessageBytes', async () => {
    const { reason } = await poll(
      { chunks: [`data: ${'x'.repeat(100)}\n\n`] },
      { maxMessageBytes: 10 },
    )
    expect(reason).toMatchObject({ kind: 'protocol' })
  })

  it('close() mid-poll aborts the request and reports aborted once', async () => {
    reply = { chunks: [': held\n\n'], after: 'hold' }
    const recording = createRecordingSink()
    const connection = longPoll().open(connectRequest(server.url('/events')), recording.sink)
    await recording.waitFor('activity')
    connection.close()
    connection.close()
    expect(await recording.closed()).toEqual({ kind: 'aborted' })
    await server.drained()
    expect(recording.records.filter((r) => r.call === 'closed')).toHaveLength(1)
  })
})
