import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'
import { openRawPipe, positionsOf, RAW_PIPES } from '@lifeline/testkit/wire/raw-pipe'
import { openRawSse } from '@lifeline/testkit/wire/raw-sse-reader'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createHub } from '../src/index'

let server: HubServer

beforeEach(async () => {
  server = await startHubServer()
})
afterEach(async () => {
  await server.close()
})

async function publishMany(stream: string, count: number, from = 0): Promise<string[]> {
  const ids: string[] = []
  for (let i = from; i < from + count; i++)
    ids.push(await server.hub.publish(stream, { type: 'n', data: String(i) }))
  return ids
}

const datas = (events: readonly { data: string }[]) => events.map((e) => e.data)
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => String(from + i))

describe.each(RAW_PIPES)('resume over %s', (pipe) => {
  it('gives a fresh connection the position block first and then live events only', async () => {
    const ids = await publishMany('s', 3)
    const reader = await openRawPipe(pipe, server, { stream: 's' })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(positionsOf(reader.items)).toEqual([ids[2]])
    expect(reader.items.filter((i) => i.kind !== 'comment')).toEqual([
      { kind: 'retry', ms: 1000 },
      { kind: 'id', id: ids[2] },
    ])
    const [live] = await publishMany('s', 1, 3)
    const [event] = await reader.waitForEvents(1)
    expect(event).toEqual({ kind: 'event', type: 'n', data: '3', id: live })
    reader.close()
  })

  it('after N of M events yields exactly the rest, then the position, then live', async () => {
    const ids = await publishMany('s', 10)
    const reader = await openRawPipe(pipe, server, { stream: 's', lastEventId: ids[3] })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(datas(reader.events)).toEqual(range(4, 10))
    expect(reader.events.map((e) => e.id)).toEqual(ids.slice(4))
    // [design] the position block follows the replay, carrying the last replayed id.
    const tail = reader.items.filter((i) => i.kind !== 'comment').slice(-2)
    expect(tail).toEqual([reader.events.at(-1), { kind: 'id', id: ids[9] }])
    await publishMany('s', 2, 10)
    await reader.waitForEvents(8)
    expect(datas(reader.events)).toEqual(range(4, 12))
    reader.close()
  })

  it('gives the resume point back as the position when there is nothing to replay', async () => {
    const ids = await publishMany('s', 2)
    const reader = await openRawPipe(pipe, server, { stream: 's', lastEventId: ids[1] })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(positionsOf(reader.items)).toEqual([ids[1]])
    expect(reader.events).toEqual([])
    reader.close()
  })

  it('joins replay and live without gap or duplicate while events are published during the replay', async () => {
    // A small buffer makes the replay wait for the client, so live events land mid-replay.
    const paced = await startHubServer({ hubOptions: { maxBufferedBytes: 32 * 1024 } })
    const ids: string[] = []
    for (let i = 0; i < 3000; i++) ids.push(await paced.hub.publish('s', { data: String(i) }))
    const connecting = openRawPipe(pipe, paced, { stream: 's', lastEventId: ids[99] })
    for (let i = 3000; i < 3300; i++) {
      await paced.hub.publish('s', { data: String(i) })
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    const reader = await connecting
    await reader.waitForEvents(3200, 10_000)
    expect(datas(reader.events)).toEqual(range(100, 3300))
    const [position] = positionsOf(reader.items)
    const replayed = reader.items.findIndex((i) => i.kind === 'id')
    // The position block names the last event before it: never ahead of what was sent.
    expect(
      reader.items
        .slice(0, replayed)
        .filter((i) => i.kind === 'event')
        .at(-1)?.id,
    ).toBe(position)
    reader.close()
    await paced.close()
  })

  it('a client that saw no event and reconnects gets exactly what was published in between', async () => {
    await publishMany('s', 2)
    const first = await openRawPipe(pipe, server, { stream: 's' })
    await first.waitFor((items) => positionsOf(items).length > 0)
    const [position] = positionsOf(first.items)
    first.close()
    await first.waitForEnd()
    const missed = await publishMany('s', 3, 2)
    const second = await openRawPipe(pipe, server, { stream: 's', lastEventId: position })
    await second.waitFor((items) => positionsOf(items).length > 0)
    expect(second.events.map((e) => e.id)).toEqual(missed)
    expect(positionsOf(second.items)).toEqual([missed[2]])
    second.close()
  })
})

describe.each(RAW_PIPES)('from=start over %s', (pipe) => {
  it('replays the whole retained history, oldest first, then the position, then live', async () => {
    const ids = await publishMany('s', 4)
    const reader = await openRawPipe(pipe, server, { stream: 's', fromStart: true })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(reader.events.map((e) => e.id)).toEqual(ids)
    expect(positionsOf(reader.items)).toEqual([ids[3]])
    const [live] = await publishMany('s', 1, 4)
    await reader.waitForEvents(5)
    expect(reader.events.map((e) => e.id)).toEqual([...ids, live])
    reader.close()
  })

  it('past maxReplay: reset, the newest maxReplay events, the position', async () => {
    const capped = await startHubServer({ hub: createHub({ maxReplay: 3 }) })
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push(await capped.hub.publish('s', { data: String(i) }))
    const reader = await openRawPipe(pipe, capped, { stream: 's', fromStart: true })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    const kinds = reader.items.filter((i) => i.kind !== 'comment' && i.kind !== 'retry')
    expect(kinds[0]).toMatchObject({ kind: 'event', type: 'reset' })
    expect(reader.events.filter((e) => e.type !== 'reset').map((e) => e.id)).toEqual(ids.slice(2))
    reader.close()
    await capped.close()
  })

  it('a connect with a resume point ignores from=start', async () => {
    const ids = await publishMany('s', 4)
    const reader = await openRawPipe(pipe, server, {
      stream: 's',
      fromStart: true,
      lastEventId: ids[2],
    })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(reader.events.map((e) => e.id)).toEqual([ids[3]])
    reader.close()
  })
})

describe('resume over SSE', () => {
  it('reads from=start only as exactly that, and starts any other from at the head', async () => {
    const ids = await publishMany('events', 2)
    for (const from of ['START', 'end', '']) {
      const reader = await openRawSse(`${server.url}?from=${from}`)
      await reader.waitFor((items) => positionsOf(items).length > 0)
      expect(reader.events).toEqual([])
      expect(positionsOf(reader.items)).toEqual([ids[1]])
      reader.close()
    }
  })

  it('takes the resume point from the lastEventId query parameter (native EventSource)', async () => {
    const ids = await publishMany('events', 3)
    const reader = await openRawSse(`${server.url}?lastEventId=${ids[0]}`)
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(reader.events.map((e) => e.id)).toEqual(ids.slice(1))
    reader.close()
  })

  it('answers with the event-stream headers', async () => {
    const reader = await openRawSse(server.url)
    expect(reader.status).toBe(200)
    expect(reader.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(reader.headers.get('cache-control')).toBe('no-cache')
    expect(reader.headers.get('x-accel-buffering')).toBe('no')
    expect(reader.headers.get('x-content-type-options')).toBe('nosniff')
    expect(reader.headers.get('access-control-allow-origin')).toBeNull()
    reader.close()
  })
})
