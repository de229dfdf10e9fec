import { memoryLog } from '@lifeline/server'
import { hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { openRawPipe, positionsOf, RAW_PIPES } from '@lifeline/testkit/wire/raw-pipe'
import { describe, expect, it } from 'vitest'

const start = hubServersPerTest()

describe.each(RAW_PIPES)('idempotent publish over %s', (pipe) => {
  it('stores a retried publish with the same key once: one id, one delivery', async () => {
    const server = await start()
    const reader = await openRawPipe(pipe, server)
    await reader.waitFor((items) => positionsOf(items).length > 0)
    const first = await server.hub.publish('events', { data: 'order 17' }, { key: 'order-17' })
    // The retry after a publish that seemed to fail: same key, same id, nothing stored.
    const retried = await server.hub.publish('events', { data: 'order 17' }, { key: 'order-17' })
    const next = await server.hub.publish('events', { data: 'order 18' }, { key: 'order-18' })
    expect(retried).toBe(first)
    await reader.waitForEvents(2)
    expect(reader.events.map((e) => [e.id, e.data])).toEqual([
      [first, 'order 17'],
      [next, 'order 18'],
    ])
    // A resume from before both replays each once too.
    const resumed = await openRawPipe(pipe, server, { lastEventId: positionsOf(reader.items)[0] })
    await resumed.waitFor((items) => positionsOf(items).length > 0)
    expect(resumed.events.map((e) => e.id)).toEqual([first, next])
    reader.close()
    resumed.close()
  })
})

describe('idempotent publish', () => {
  it('keeps keys per stream, and without a key stores every publish', async () => {
    const server = await start({ hubOptions: { log: memoryLog({ epoch: 'e' }) } })
    const { hub } = server
    expect(await hub.publish('a', { data: 'x' }, { key: 'k' })).toBe('e-1')
    expect(await hub.publish('b', { data: 'x' }, { key: 'k' })).toBe('e-1')
    expect(await hub.publish('a', { data: 'x' }, { key: 'k' })).toBe('e-1')
    expect(await hub.publish('a', { data: 'x' })).toBe('e-2')
    expect(await hub.publish('a', { data: 'x' })).toBe('e-3')
  })

  it.each([
    ['empty', ''],
    ['over 256 bytes', 'é'.repeat(129)],
    ['not a string', 42 as unknown as string],
  ])('rejects a key that is %s with invalid-option, storing nothing', async (_, key) => {
    const server = await start({ hubOptions: { log: memoryLog({ epoch: 'e' }) } })
    await expect(server.hub.publish('s', { data: 'x' }, { key })).rejects.toMatchObject({
      code: 'invalid-option',
    })
    expect(await server.hub.publish('s', { data: 'x' }, { key: 'k'.repeat(256) })).toBe('e-1')
  })
})
