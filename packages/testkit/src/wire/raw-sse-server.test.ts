import { afterEach, describe, expect, it } from 'vitest'
import { openRawSse } from './raw-sse-reader'
import {
  type ListeningRawSseServer,
  type RawSseServerOptions,
  rawEventData,
  startRawSseServer,
} from './raw-sse-server'

const servers: ListeningRawSseServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function start(options: RawSseServerOptions = {}) {
  const server = await startRawSseServer(options)
  servers.push(server)
  return server
}

describe('raw SSE server', () => {
  it('replays the held events to a fresh request, then streams what is appended', async () => {
    const server = await start({ available: 2, dataBytes: 4 })
    const reader = await openRawSse(server.url)
    server.append(1)
    const events = await reader.waitForEvents(3)
    expect(events.map((e) => [e.id, e.data])).toEqual([
      ['1', rawEventData(1, 4)],
      ['2', rawEventData(2, 4)],
      ['3', rawEventData(3, 4)],
    ])
    expect(reader.headers.get('content-type')).toBe('text/event-stream')
    reader.close()
  })

  it('resumes after a held Last-Event-ID and gives a fresh request only new events when live', async () => {
    const server = await start({ available: 3, fresh: 'live', preamble: 'hello' })
    const resumed = await openRawSse(server.url, { lastEventId: '1' })
    const fresh = await openRawSse(server.url)
    await fresh.waitFor((items) => items.some((item) => item.kind === 'comment'))
    const id = server.publish('news')
    expect((await resumed.waitForEvents(3)).map((e) => e.id)).toEqual(['2', '3', id])
    expect(await fresh.waitForEvents(1)).toEqual([
      { kind: 'event', type: 'message', data: 'news', id: '4' },
    ])
    expect(server.requests).toEqual([
      { lastEventId: '1', method: 'GET', status: 200 },
      { lastEventId: undefined, method: 'GET', status: 200 },
    ])
    resumed.close()
    fresh.close()
  })

  it('forgets its history as a restart does: an earlier id is unknown, answered 500 when naive', async () => {
    const server = await start({ unknownResumePoint: 'status-500' })
    const before = server.publish('a')
    server.forget()
    const after = server.publish('b')
    const stale = await openRawSse(server.url, { lastEventId: before })
    expect(stale.status).toBe(500)
    await stale.waitForEnd()
    const held = await openRawSse(server.url, { lastEventId: after })
    expect(held.status).toBe(200)
    expect(server.requests.map((r) => r.status)).toEqual([500, 200])
    held.close()
  })

  it('serves an unknown resume point live by default', async () => {
    const server = await start({ available: 2 })
    const reader = await openRawSse(server.url, { lastEventId: 'nope' })
    server.append(1)
    expect((await reader.waitForEvents(1)).map((e) => e.id)).toEqual(['3'])
    reader.close()
  })

  it('accepts an unknown resume point in silence: headers, then nothing until it ends', async () => {
    const server = await start({ available: 2, unknownResumePoint: 'silence', preamble: 'hi' })
    const silent = await openRawSse(server.url, { lastEventId: '9' })
    expect(silent.status).toBe(200)
    server.append(1)
    expect(server.open).toBe(1)
    server.endAll()
    await silent.waitForEnd()
    expect(silent.text).toBe('')
  })

  it('ends each stream after endAfter events with the close event, and endAll does the same', async () => {
    const server = await start({ available: 3, closeEvent: true, endAfter: 2 })
    const short = await openRawSse(server.url)
    await short.waitForEnd()
    expect(short.events.map((e) => [e.type, e.id ?? e.data])).toEqual([
      ['message', '1'],
      ['message', '2'],
      ['close', 'Connection closed'],
    ])
    const resumed = await openRawSse(server.url, { lastEventId: '2' })
    await resumed.waitForEvents(1)
    server.endAll()
    await resumed.waitForEnd()
    expect(resumed.events.map((e) => e.type)).toEqual(['message', 'close'])
  })

  it('cuts every stream, and idle resolves once none is open', async () => {
    const server = await start({ available: 1 })
    const reader = await openRawSse(server.url)
    await reader.waitForEvents(1)
    expect(server.open).toBe(1)
    server.cut()
    await server.idle()
    await reader.waitForEnd()
    expect(server.open).toBe(0)
  })
})
