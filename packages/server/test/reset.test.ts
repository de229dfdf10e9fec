import { memoryLog } from '@lifeline/server'
import { type HubServer, hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { openRawPipe, positionsOf, RAW_PIPES, type RawPipe } from '@lifeline/testkit/wire/raw-pipe'
import { openRawSse } from '@lifeline/testkit/wire/raw-sse-reader'
import { describe, expect, it } from 'vitest'

const start = hubServersPerTest()

async function publishMany(server: HubServer, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push(await server.hub.publish('events', { data: String(i) }))
  return ids
}

/** Connects with `lastEventId` and checks: reset, then the head as position, then live. */
async function expectReset(pipe: RawPipe, server: HubServer, lastEventId: string, head: string) {
  const reader = await openRawPipe(pipe, server, { lastEventId })
  await reader.waitFor((items) => positionsOf(items).length > 0)
  expect(reader.items.filter((i) => i.kind !== 'comment')).toEqual([
    { kind: 'retry', ms: 1000 },
    { kind: 'event', type: 'reset', data: '', id: undefined },
    { kind: 'id', id: head },
  ])
  const live = await server.hub.publish('events', { data: 'live' })
  await reader.waitForEvents(2)
  expect(reader.events[1]).toEqual({ kind: 'event', type: 'message', data: 'live', id: live })
  reader.close()
  return live
}

describe.each(RAW_PIPES)('reset over %s', (pipe) => {
  it('answers a resume point older than the log keeps with reset, then live', async () => {
    const server = await start({ hubOptions: { log: memoryLog({ capacity: 3 }) } })
    const ids = await publishMany(server, 10)
    await expectReset(pipe, server, ids[1]!, ids[9]!)
  })

  it('answers an id from before a restart (another epoch) with reset, the events since the restart from the first, the position, then live', async () => {
    const before = await start()
    const [old] = await publishMany(before, 1)
    await before.close()
    const after = await start()
    const ids = await publishMany(after, 2)
    const reader = await openRawPipe(pipe, after, { lastEventId: old })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(reader.items.filter((i) => i.kind !== 'comment')).toEqual([
      { kind: 'retry', ms: 1000 },
      { kind: 'event', type: 'reset', data: '', id: undefined },
      { kind: 'event', type: 'message', data: '0', id: ids[0] },
      { kind: 'event', type: 'message', data: '1', id: ids[1] },
      { kind: 'id', id: ids[1] },
    ])
    const live = await after.hub.publish('events', { data: 'live' })
    await reader.waitForEvents(4)
    expect(reader.events[3]).toEqual({ kind: 'event', type: 'message', data: 'live', id: live })
    reader.close()
  })

  it('answers an id from before a restart with reset, the newest maxReplay events since, then live', async () => {
    const before = await start()
    const [old] = await publishMany(before, 1)
    await before.close()
    const after = await start({ hubOptions: { maxReplay: 3 } })
    const ids = await publishMany(after, 5)
    const reader = await openRawPipe(pipe, after, { lastEventId: old })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(reader.events.map((e) => e.type)).toEqual(['reset', 'message', 'message', 'message'])
    expect(reader.events.slice(1).map((e) => e.id)).toEqual(ids.slice(2))
    expect(positionsOf(reader.items)).toEqual([ids[4]])
    reader.close()
  })

  it('answers an id of its own epoch it never issued with reset, then live', async () => {
    const server = await start()
    const ids = await publishMany(server, 2)
    const epoch = ids[0]!.slice(0, ids[0]!.lastIndexOf('-'))
    await expectReset(pipe, server, `${epoch}-99`, ids[1]!)
  })

  it.each([
    ['malformed', 'not/an id'],
    ['over 64 bytes', 'a'.repeat(65)],
    ['without a sequence', 'abc'],
  ])('answers a %s id with reset, then live', async (_, lastEventId) => {
    const server = await start()
    const ids = await publishMany(server, 2)
    await expectReset(pipe, server, lastEventId, ids[1]!)
  })

  it('answers a gap longer than maxReplay with reset, and replays one of exactly maxReplay', async () => {
    const server = await start({ hubOptions: { maxReplay: 5 } })
    const ids = await publishMany(server, 10)
    const live = await expectReset(pipe, server, ids[3]!, ids[9]!)
    // Five events follow ids[5]: four published before, one during expectReset.
    const reader = await openRawPipe(pipe, server, { lastEventId: ids[5] })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(reader.events.map((e) => e.id)).toEqual([...ids.slice(6), live])
    reader.close()
  })
})

describe('reset over SSE', () => {
  it('answers with status 200, never an error status', async () => {
    const server = await start()
    const reader = await openRawSse(server.url, { lastEventId: 'gone-1' })
    expect(reader.status).toBe(200)
    await reader.waitForEvents(1)
    expect(reader.events[0]?.type).toBe('reset')
    reader.close()
  })

  it('treats an empty Last-Event-ID as a fresh connect, not a reset', async () => {
    const server = await start()
    const [id] = await publishMany(server, 1)
    const reader = await openRawSse(server.url, { lastEventId: '' })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(positionsOf(reader.items)).toEqual([id])
    expect(reader.events).toEqual([])
    reader.close()
  })
})
