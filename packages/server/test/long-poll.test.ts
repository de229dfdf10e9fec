import {
  createHub,
  type EventLog,
  type HistoryLost,
  type Hub,
  type HubMetric,
  type HubOptions,
  memoryLog,
} from '@lifeline/server'
import { type HubServer, hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { openRawHttp, rawGet } from '@lifeline/testkit/wire/raw-http'
import { positionsOf } from '@lifeline/testkit/wire/raw-pipe'
import { openRawSse, type RawSseReader } from '@lifeline/testkit/wire/raw-sse-reader'
import { afterEach, describe, expect, it, vi } from 'vitest'

const startServer = hubServersPerTest()

afterEach(() => {
  vi.useRealTimers()
})

/** The query of a poll: `transport=long-poll` and the given fields. */
const pollQuery = (fields: Record<string, string> = {}) =>
  new URLSearchParams({ transport: 'long-poll', ...fields }).toString()

/** One poll over real HTTP, read to its end. */
async function poll(
  server: HubServer,
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<RawSseReader> {
  const reader = await openRawSse(`${server.url}?${pollQuery(fields)}`, { headers })
  await reader.waitForEnd()
  return reader
}

/** The items of a poll's answer after its `retry:` hint. */
const withoutRetry = (reader: RawSseReader) => reader.items.filter((i) => i.kind !== 'retry')

async function publishMany(hub: Hub, count: number, data = (i: number) => String(i)) {
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push(await hub.publish('events', { data: data(i) }))
  return ids
}

/** A `hub.fetch` poll in this process, read as text, for tests on fake timers. */
function fetchPoll(hub: Hub, fields: Record<string, string>) {
  const abort = new AbortController()
  const response = hub.fetch(
    new Request(`http://localhost/events?${pollQuery(fields)}`, { signal: abort.signal }),
    { stream: 'events' },
  )
  const body = response.body!.getReader()
  const decoder = new TextDecoder()
  const answer = { response, text: '', ended: false, abort: () => abort.abort() }
  void (async () => {
    for (;;) {
      const { done, value } = await body.read().catch(() => ({ done: true, value: undefined }))
      if (done) break
      answer.text += decoder.decode(value, { stream: true })
    }
    answer.ended = true
  })()
  return answer
}

describe.each(['node', 'fetch'] as const)('long-poll bad input (%s handler)', (sse) => {
  const start = (hubOptions: HubOptions = {}) => startServer({ sse, hubOptions })

  it.each(['0', '-1', '1.5', '1e3', '', 'abc', ' 5', '0x10', '05'])(
    'answers hold=%j with 400 and a reason, holding nothing',
    async (hold) => {
      const server = await start()
      const response = await fetch(`${server.url}?${pollQuery({ hold })}`)
      expect(response.status).toBe(400)
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
      expect(await response.text()).toMatch(/^hold must be a whole number of milliseconds/)
      expect(server.hub.stats()).toMatchObject({ clients: 0, accepted: { 'long-poll': 0 } })
    },
  )

  it.each([
    ['malformed', 'not/an id'],
    ['over 64 bytes', 'a'.repeat(65)],
    // Not of this log, nor shaped like one of another epoch (that would be lost history).
    ['unknown', 'nodash99'],
  ])('answers a %s resume point at once with reset and the head', async (_, lastEventId) => {
    const server = await start({ pollTimeout: 60_000 })
    const ids = await publishMany(server.hub, 2)
    const reader = await poll(server, { hold: '60000', lastEventId })
    expect(reader.status).toBe(200)
    expect(withoutRetry(reader)).toEqual([
      { kind: 'event', type: 'reset', data: '', id: undefined },
      { kind: 'id', id: ids[1] },
    ])
  })

  it('answers a first poll with from=start at once: the retained history, oldest first, then the position', async () => {
    const server = await start({ pollTimeout: 60_000 })
    const ids = await publishMany(server.hub, 3)
    const reader = await poll(server, { hold: '60000', from: 'start' })
    expect(withoutRetry(reader)).toEqual([
      ...ids.map((id, i) => ({ kind: 'event', type: 'message', data: String(i), id })),
      { kind: 'id', id: ids[2] },
    ])
    const empty = await poll(await start(), { hold: '60000', from: 'start' })
    expect(withoutRetry(empty).map((item) => item.kind)).toEqual(['id'])
  })

  it('drops a connection that pipelines a poll behind a held one, and keeps nothing of it', async () => {
    const server = await start({ pollTimeout: 60_000 })
    const [id] = await publishMany(server.hub, 1)
    const request = rawGet(`${server.url}?${pollQuery({ hold: '60000', lastEventId: id! })}`)
    const raw = await openRawHttp(server.url, request + request)
    if (sse === 'node') {
      await raw.waitForClose()
      expect(raw.statuses).toEqual([])
    } else {
      // hub.fetch sees no connection: the runtime (here Node behind the bridge) hands it
      // both requests, and closing the connection must release both.
      await expect.poll(() => server.hub.stats().clients).toBe(2)
      raw.close()
    }
    await expect.poll(() => server.hub.stats().clients).toBe(0)
    expect(server.hub.stats().connections).toEqual({ sse: 0, websocket: 0, 'long-poll': 0 })
  })

  it('releases a held poll whose client goes away: no subscriber, no stream left', async () => {
    const server = await start({ pollTimeout: 60_000 })
    const [id] = await publishMany(server.hub, 1)
    const reader = await openRawSse(
      `${server.url}?${pollQuery({ hold: '60000', lastEventId: id! })}`,
    )
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(server.hub.stats()).toMatchObject({ clients: 1, connections: { 'long-poll': 1 } })
    reader.close()
    await expect.poll(() => server.hub.stats().clients).toBe(0)
    expect(server.hub.stats()).toMatchObject({ streams: 0, connections: { 'long-poll': 0 } })
  })

  it('counts a held poll toward maxClients and serves it the limits of SSE', async () => {
    const server = await start({ maxClients: 1, pollTimeout: 60_000 })
    const [id] = await publishMany(server.hub, 1)
    const held = await openRawSse(`${server.url}?${pollQuery({ hold: '60000', lastEventId: id! })}`)
    await held.waitFor((items) => positionsOf(items).length > 0)
    const turnedAway = await fetch(`${server.url}?${pollQuery({ lastEventId: id! })}`)
    expect(turnedAway.status).toBe(503)
    expect(turnedAway.headers.get('retry-after')).toBe('1')
    held.close()
  })
})

describe('long-poll under maxClientsPerAddress (hub.sse, which sees the peer)', () => {
  it('counts a held poll under its address: one more gets 429, and the place comes back', async () => {
    const server = await startServer({
      hubOptions: { maxClientsPerAddress: 1, pollTimeout: 60_000 },
    })
    const [id] = await publishMany(server.hub, 1)
    const url = `${server.url}?${pollQuery({ hold: '60000', lastEventId: id! })}`
    const held = await openRawSse(url)
    await held.waitFor((items) => positionsOf(items).length > 0)
    const second = await fetch(url)
    expect(second.status).toBe(429)
    expect(second.headers.get('retry-after')).toBe('1')
    held.close()
    await expect.poll(() => server.hub.stats().clients).toBe(0)
    const again = await openRawSse(url)
    await again.waitFor((items) => positionsOf(items).length > 0)
    expect(again.status).toBe(200)
    again.close()
  })
})

describe('long-poll holds and timers (hub.fetch on fake timers)', () => {
  it.each([
    ['a hold over pollTimeout', '90000'],
    ['a hold of more digits than any number', '9'.repeat(400)],
    ['no hold', undefined],
  ])('caps %s at pollTimeout', async (_, hold) => {
    vi.useFakeTimers()
    const hub = createHub({ pollTimeout: 30_000 })
    const id = await hub.publish('events', { data: 'a' })
    const fields: Record<string, string> = { lastEventId: id }
    if (hold !== undefined) fields.hold = hold
    const answer = fetchPoll(hub, fields)
    await vi.advanceTimersByTimeAsync(29_999)
    expect(answer.ended).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(answer.ended).toBe(true)
    expect(answer.text).toBe(`retry: 1000\n\nid: ${id}\n\n`)
    expect(vi.getTimerCount()).toBe(0)
    await hub.close()
  })

  it('answers a poll with nothing to send after its hold, with the position block alone and no heartbeat', async () => {
    vi.useFakeTimers()
    const hub = createHub({ heartbeat: 100, pollTimeout: 60_000 })
    const id = await hub.publish('events', { data: 'a' })
    // An SSE connection keeps the heartbeat running beside the poll.
    const sse = fetchPoll(hub, {})
    const answer = fetchPoll(hub, { hold: '1000', lastEventId: id })
    await vi.advanceTimersByTimeAsync(999)
    expect(answer.ended).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(answer.text).toBe(`retry: 1000\n\nid: ${id}\n\n`)
    expect(answer.response.headers.get('cache-control')).toBe('no-store')
    expect(answer.ended).toBe(true)
    sse.abort()
    await hub.close()
  })

  it('leaves no timer and no subscriber when the client aborts mid-hold', async () => {
    vi.useFakeTimers()
    const hub = createHub({ pollTimeout: 60_000 })
    const id = await hub.publish('events', { data: 'a' })
    const answer = fetchPoll(hub, { hold: '50000', lastEventId: id })
    await vi.advanceTimersByTimeAsync(10)
    expect(vi.getTimerCount()).toBe(1)
    expect(hub.stats()).toMatchObject({ clients: 1, connections: { 'long-poll': 1 } })
    answer.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(hub.stats()).toMatchObject({ clients: 0, streams: 0, connections: { 'long-poll': 0 } })
    expect(vi.getTimerCount()).toBe(0)
    await hub.close()
  })

  it('answers a held poll a tick after the first live event, with the whole burst in it', async () => {
    vi.useFakeTimers()
    const hub = createHub({ pollTimeout: 60_000 })
    const id = await hub.publish('events', { data: 'a' })
    const answer = fetchPoll(hub, { hold: '50000', lastEventId: id })
    await vi.advanceTimersByTimeAsync(10)
    const burst = await Promise.all(['b', 'c', 'd'].map((data) => hub.publish('events', { data })))
    await vi.advanceTimersByTimeAsync(1)
    expect(answer.ended).toBe(true)
    expect(answer.text).toBe(
      [
        'retry: 1000\n\n',
        `id: ${id}\n\n`,
        ...burst.map((bid, i) => `id: ${bid}\ndata: ${'bcd'[i]}\n\n`),
        `id: ${burst[2]}\n\n`,
      ].join(''),
    )
    expect(vi.getTimerCount()).toBe(0)
    await hub.close()
  })

  it('answers at once, with no timer, a poll that has a position to give', async () => {
    vi.useFakeTimers()
    const hub = createHub({ pollTimeout: 60_000 })
    const ids = [
      await hub.publish('events', { data: 'a' }),
      await hub.publish('events', { data: 'b' }),
    ]
    for (const fields of [
      {},
      { lastEventId: '' },
      { lastEventId: 'x-1' },
      { lastEventId: ids[0]! },
    ]) {
      const answer = fetchPoll(hub, { hold: '50000', ...fields })
      await vi.advanceTimersByTimeAsync(0)
      expect(answer.ended).toBe(true)
      expect(answer.text.endsWith(`id: ${ids[1]}\n\n`)).toBe(true)
      expect(vi.getTimerCount()).toBe(0)
    }
    await hub.close()
  })

  it('answers a held poll whose history the log lost with reset and the new position', async () => {
    vi.useFakeTimers()
    const inner = memoryLog()
    let lose: HistoryLost | undefined
    const log: EventLog = {
      ...inner,
      subscribe(stream, listener, onHistoryLost) {
        lose = onHistoryLost
        return inner.subscribe(stream, listener)
      },
    }
    const hub = createHub({ log, pollTimeout: 60_000 })
    const id = await hub.publish('events', { data: 'a' })
    const answer = fetchPoll(hub, { hold: '50000', lastEventId: id })
    await vi.advanceTimersByTimeAsync(10)
    expect(answer.ended).toBe(false)
    lose?.('new-0', () => true)
    await vi.advanceTimersByTimeAsync(1)
    expect(answer.ended).toBe(true)
    expect(answer.text).toBe(`retry: 1000\n\nid: ${id}\n\nevent: reset\ndata: \n\nid: new-0\n\n`)
    expect(hub.stats()).toMatchObject({ resets: 1, resumes: 1, clients: 0 })
    expect(vi.getTimerCount()).toBe(0)
    await hub.close()
  })

  it('leaves no timer when a held poll is cut for a block over maxBufferedBytes', async () => {
    vi.useFakeTimers()
    const hub = createHub({ maxBufferedBytes: 64 * 1024, pollTimeout: 60_000 })
    const id = await hub.publish('events', { data: 'a' })
    const answer = fetchPoll(hub, { hold: '50000', lastEventId: id })
    await vi.advanceTimersByTimeAsync(10)
    expect(vi.getTimerCount()).toBe(1)
    await hub.publish('events', { data: 'x'.repeat(100 * 1024) })
    await vi.advanceTimersByTimeAsync(0)
    expect(hub.stats()).toMatchObject({ clients: 0, cuts: 1, connections: { 'long-poll': 0 } })
    expect(answer.ended).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
    await hub.close()
  })

  it('gives a held poll the close event on hub.close()', async () => {
    vi.useFakeTimers()
    const hub = createHub({ pollTimeout: 60_000 })
    const id = await hub.publish('events', { data: 'a' })
    const answer = fetchPoll(hub, { hold: '50000', lastEventId: id })
    await vi.advanceTimersByTimeAsync(10)
    await hub.close()
    await vi.advanceTimersByTimeAsync(0)
    expect(answer.ended).toBe(true)
    expect(answer.text).toBe(
      `retry: 1000\n\nid: ${id}\n\nevent: close\ndata: {"reconnect":true,"retry":1000}\n\n`,
    )
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe.each(['node', 'fetch'] as const)('long-poll wire (%s handler)', (sse) => {
  const start = (hubOptions: HubOptions = {}) => startServer({ sse, hubOptions })

  it('answers a fresh poll at once: 200 text/event-stream, no-store, retry and the head', async () => {
    const server = await start()
    const ids = await publishMany(server.hub, 2)
    const reader = await poll(server, { hold: '20000' })
    expect(reader.status).toBe(200)
    expect(reader.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(reader.headers.get('cache-control')).toBe('no-store')
    expect(reader.items).toEqual([
      { kind: 'retry', ms: 1000 },
      { kind: 'id', id: ids[1] },
    ])
  })

  it('answers a poll behind the head at once with what follows, then the position block', async () => {
    const server = await start()
    const ids = await publishMany(server.hub, 5)
    for (const resume of [{ lastEventId: ids[1]! }, {}]) {
      // The resume point in the query, or (as a native EventSource sends it) the header.
      const header = 'lastEventId' in resume ? {} : { 'last-event-id': ids[1]! }
      const reader = await poll(server, { hold: '20000', ...resume }, header)
      expect(withoutRetry(reader)).toEqual([
        ...ids
          .slice(2)
          .map((id, i) => ({ kind: 'event', type: 'message', data: String(i + 2), id })),
        { kind: 'id', id: ids[4] },
      ])
    }
  })

  it('holds a poll at the head until an event is published, then answers with it', async () => {
    const server = await start({ pollTimeout: 60_000 })
    const [id] = await publishMany(server.hub, 1)
    const reader = await openRawSse(
      `${server.url}?${pollQuery({ hold: '60000', lastEventId: id! })}`,
    )
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(reader.ended).toBe(false)
    const live = await server.hub.publish('events', { data: 'live' })
    await reader.waitForEnd()
    expect(withoutRetry(reader)).toEqual([
      { kind: 'id', id },
      { kind: 'event', type: 'message', data: 'live', id: live },
      { kind: 'id', id: live },
    ])
  })

  it('caps an answer at its byte bound; the next polls carry on with every event once, in order', async () => {
    // maxBufferedBytes 64 KiB puts the bound at 32 KiB: about 230 events of 120 bytes.
    const server = await start({ maxBufferedBytes: 64 * 1024, maxReplay: 10_000 })
    const ids = await publishMany(server.hub, 1_000, (i) => String(i).padEnd(100, '.'))
    let resume = ids[0]!
    const seen: string[] = [ids[0]!]
    let polls = 0
    while (resume !== ids.at(-1)) {
      const reader = await poll(server, { hold: '20000', lastEventId: resume })
      polls++
      const positions = positionsOf(reader.items)
      expect(positions).toHaveLength(1)
      expect(reader.items.at(-1)).toEqual({ kind: 'id', id: reader.events.at(-1)?.id })
      seen.push(...reader.events.map((event) => event.id!))
      resume = positions[0]!
    }
    expect(seen).toEqual(ids)
    expect(polls).toBeGreaterThanOrEqual(4)
    expect(polls).toBeLessThanOrEqual(6)
  })

  it('answers a poll after hub.close() with retry and the close event', async () => {
    const server = await start()
    await server.hub.close()
    const reader = await poll(server, { hold: '20000', lastEventId: 'x-1' })
    expect(reader.status).toBe(200)
    expect(reader.headers.get('cache-control')).toBe('no-store')
    expect(reader.text).toBe(
      'retry: 1000\n\nevent: close\ndata: {"reconnect":true,"retry":1000}\n\n',
    )
  })

  it('serves polls the admission of SSE: CORS, allowed hosts, methods', async () => {
    const server = await start({
      cors: { origins: ['http://app.test'] },
      allowedHosts: ['127.0.0.1'],
    })
    const reader = await poll(server, { hold: '20000' }, { origin: 'http://app.test' })
    expect(reader.headers.get('access-control-allow-origin')).toBe('http://app.test')
    const post = await fetch(`${server.url}?${pollQuery()}`, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    const { port } = new URL(server.url)
    const rebound = await openRawHttp(
      server.url,
      `GET /events?${pollQuery()} HTTP/1.1\r\nhost: rebind.test:${port}\r\n\r\n`,
    )
    await rebound.waitFor(() => rebound.statuses.length > 0)
    expect(rebound.statuses).toEqual([403])
    rebound.close()
  })

  it('counts polls in stats() and tells onMetric, resumes by what they really replayed', async () => {
    const metrics: HubMetric[] = []
    const server = await start({
      maxBufferedBytes: 64 * 1024,
      onMetric: (metric) => metrics.push(metric),
    })
    const ids = await publishMany(server.hub, 400, (i) => String(i).padEnd(100, '.'))
    const first = await poll(server, { hold: '20000', lastEventId: ids[0]! })
    await poll(server, { hold: '20000', lastEventId: 'x-1' })
    await expect.poll(() => server.hub.stats().clients).toBe(0)
    const replayed = first.events.length
    expect(replayed).toBeLessThan(399)
    expect(server.hub.stats()).toMatchObject({
      published: 400,
      accepted: { sse: 0, websocket: 0, 'long-poll': 2 },
      resumes: 1,
      replayedEvents: replayed,
      resets: 1,
    })
    expect(metrics.filter((metric) => metric.kind !== 'published')).toEqual([
      { kind: 'connected', stream: 'events', pipe: 'long-poll' },
      { kind: 'resumed', stream: 'events', pipe: 'long-poll', replayed },
      { kind: 'disconnected', stream: 'events', pipe: 'long-poll' },
      { kind: 'connected', stream: 'events', pipe: 'long-poll' },
      { kind: 'reset', stream: 'events', pipe: 'long-poll' },
      { kind: 'disconnected', stream: 'events', pipe: 'long-poll' },
    ])
  })
})

describe('hub options of long-poll and metrics', () => {
  it.each([0, 1.5, -1, 2 ** 31])('rejects %d with invalid-option', (pollTimeout) => {
    expect(() => createHub({ pollTimeout })).toThrowError(
      expect.objectContaining({ code: 'invalid-option' }),
    )
  })

  it('rejects an onMetric that is not a function', () => {
    expect(() =>
      createHub({ onMetric: 'count' as unknown as (metric: HubMetric) => void }),
    ).toThrowError(expect.objectContaining({ code: 'invalid-option' }))
  })
})
