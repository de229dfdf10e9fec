import type { Socket } from 'node:net'
import type { TransportEvent } from '@lifeline/core'
import { connectRequest } from '@lifeline/testkit/doubles/connect-request'
import { createRecordingSink } from '@lifeline/testkit/doubles/recording-sink'
import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { websocket } from '../src/index'

let server: HubServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(options: Parameters<typeof startHubServer>[0] = {}): Promise<HubServer> {
  server = await startHubServer(options)
  return server
}

/** The raw sockets of every upgrade, so a test can drop one as the network would. */
function upgradeSockets(hub: HubServer): Socket[] {
  const sockets: Socket[] = []
  hub.server.on('upgrade', (_req, socket: Socket) => sockets.push(socket))
  return sockets
}

const payloads = (events: TransportEvent[]) => events.map((e) => e.data)

describe('against @lifeline/server', () => {
  it('resumes after a dropped socket with exactly the missing events', async () => {
    const hub = await start()
    const sockets = upgradeSockets(hub)
    const url = new URL(`${hub.url}?stream=prices`)

    const first = createRecordingSink()
    websocket().open(connectRequest(url), first.sink)
    await first.waitFor('opened')
    await first.waitFor('id') // the position block: where a fresh client can resume from
    for (const n of [1, 2, 3]) await hub.hub.publish('prices', { data: `e${n}` })
    await first.count('event', 3)
    const seen = first.of('event').map((c) => c.event)
    expect(payloads(seen)).toEqual(['e1', 'e2', 'e3'])

    sockets[0]?.destroy()
    expect((await first.closed()).kind).toBe('network')
    for (const n of [4, 5, 6]) await hub.hub.publish('prices', { data: `e${n}` })

    const second = createRecordingSink()
    const resumeFrom = seen.at(-1)?.id
    expect(resumeFrom).toBeDefined()
    websocket().open(connectRequest(url, { lastEventId: resumeFrom }), second.sink)
    await second.count('event', 3)
    await hub.hub.publish('prices', { data: 'e7' })
    await second.count('event', 4)
    const resumed = second.of('event').map((c) => c.event)
    expect(payloads(resumed)).toEqual(['e4', 'e5', 'e6', 'e7'])
    expect(new Set([...seen, ...resumed].map((e) => e.id)).size).toBe(7)
    // The position block after the replay carries the last replayed id, never one ahead.
    expect(second.of('id').map((c) => c.lastEventId)).toEqual([resumed[2]?.id])
  })

  it('reports an Origin the server refuses as http 403 in Node', async () => {
    const hub = await start()
    const recording = createRecordingSink()
    const request = connectRequest(new URL(hub.url), {
      headers: new Headers({ origin: 'https://evil.example' }),
    })
    websocket().open(request, recording.sink)
    expect(await recording.closed()).toEqual({ kind: 'http', status: 403 })
    expect(recording.records).toHaveLength(1)
  })

  it('accepts its own Origin', async () => {
    const hub = await start()
    const recording = createRecordingSink()
    const request = connectRequest(new URL(hub.url), {
      headers: new Headers({ origin: hub.origin }),
    })
    websocket().open(request, recording.sink)
    await recording.waitFor('opened')
    request.controller.abort()
    expect(await recording.closed()).toEqual({ kind: 'aborted' })
  })

  it('gets reset for a resume point the server does not know', async () => {
    const hub = await start()
    const recording = createRecordingSink()
    websocket().open(connectRequest(new URL(hub.url), { lastEventId: 'nonsense' }), recording.sink)
    const { event } = await recording.waitFor('event')
    expect(event.type).toBe('reset')
    await recording.waitFor('id')
  })

  it('sees the hub heartbeats as activity', async () => {
    const hub = await start({ hubOptions: { heartbeat: 50 } })
    const recording = createRecordingSink()
    websocket().open(connectRequest(new URL(hub.url)), recording.sink)
    await recording.count('activity', 3)
    expect(recording.of('event')).toEqual([])
  })

  it('gets : pong for every ping, seen as activity', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      const hub = await start()
      const recording = createRecordingSink()
      const connection = websocket({ pingInterval: 1_000 }).open(
        connectRequest(new URL(hub.url)),
        recording.sink,
      )
      await recording.waitFor('opened')
      const before = recording.of('activity').length
      vi.advanceTimersByTime(1_000)
      await recording.count('activity', before + 1)
      vi.advanceTimersByTime(1_000)
      await recording.count('activity', before + 2)
      // The hub's own intervals run in this process too: closing drops exactly ours.
      const timers = vi.getTimerCount()
      connection.close()
      expect(vi.getTimerCount()).toBe(timers - 1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('hears the close event on hub.close(), ends, and is refused with 503 afterwards', async () => {
    const hub = await start()
    const recording = createRecordingSink()
    websocket().open(connectRequest(new URL(hub.url)), recording.sink)
    await recording.waitFor('id')
    const closing = hub.hub.close({ reconnect: true })
    const { event } = await recording.waitFor('event')
    expect(event.type).toBe('close')
    expect(JSON.parse(event.data)).toMatchObject({ reconnect: true })
    expect(await recording.closed()).toEqual({ kind: 'ended' })
    await closing

    const late = createRecordingSink()
    websocket().open(connectRequest(new URL(hub.url)), late.sink)
    expect(await late.closed()).toEqual({ kind: 'http', status: 503 })
  })
})
