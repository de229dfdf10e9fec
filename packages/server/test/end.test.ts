import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'
import { openRawPipe, positionsOf, RAW_PIPES } from '@lifeline/testkit/wire/raw-pipe'
import { afterEach, describe, expect, it } from 'vitest'
import { createHub, memoryLog } from '../src/index'

let server: HubServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const END = { kind: 'event', type: 'close', data: '{"reconnect":false}' }

describe.each(RAW_PIPES)('hub.end over %s', (pipe) => {
  it('tells a live connection to stop for good, with an id, after the events before it', async () => {
    server = await startHubServer()
    const reader = await openRawPipe(pipe, server, { stream: 'answer' })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    const token = await server.hub.publish('answer', { type: 'token', data: 'Hel' })
    const id = await server.hub.end('answer')
    await reader.waitForEvents(2)
    expect(reader.events).toEqual([
      { kind: 'event', type: 'token', data: 'Hel', id: token },
      { ...END, id },
    ])
    reader.close()
  })

  it('is in the log: a later from=start replay ends with it, a resume from before it gets it', async () => {
    server = await startHubServer()
    const first = await server.hub.publish('answer', { data: 'a' })
    await server.hub.publish('answer', { data: 'b' })
    const id = await server.hub.end('answer')
    const replay = await openRawPipe(pipe, server, { stream: 'answer', fromStart: true })
    await replay.waitFor((items) => positionsOf(items).length > 0)
    expect(replay.events.map((e) => e.type)).toEqual(['message', 'message', 'close'])
    expect(replay.events.at(-1)).toEqual({ ...END, id })
    replay.close()
    const resumed = await openRawPipe(pipe, server, { stream: 'answer', lastEventId: first })
    await resumed.waitFor((items) => positionsOf(items).length > 0)
    expect(resumed.events.map((e) => e.data)).toEqual(['b', '{"reconnect":false}'])
    resumed.close()
  })

  it('leaves the other streams alone', async () => {
    server = await startHubServer()
    const other = await openRawPipe(pipe, server, { stream: 'other' })
    await other.waitFor((items) => positionsOf(items).length > 0)
    await server.hub.end('answer')
    const id = await server.hub.publish('other', { data: 'still here' })
    await other.waitForEvents(1)
    expect(other.events).toEqual([{ kind: 'event', type: 'message', data: 'still here', id }])
    other.close()
  })
})

describe('hub.end', () => {
  it('rejects a bad stream and a closed hub with a typed error, appending nothing', async () => {
    const log = memoryLog({ epoch: 'e' })
    const hub = createHub({ log })
    await expect(hub.end('')).rejects.toMatchObject({ code: 'invalid-option' })
    await expect(hub.end(42 as unknown as string)).rejects.toMatchObject({ code: 'invalid-option' })
    await hub.close()
    await expect(hub.end('answer')).rejects.toMatchObject({ code: 'closed' })
    expect(await log.newest('answer')).toBe('e-0')
  })
})
