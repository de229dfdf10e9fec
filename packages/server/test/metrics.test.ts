import type { HubMetric } from '@lifeline/server'
import { hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { positionsOf } from '@lifeline/testkit/wire/raw-pipe'
import { openRawSse } from '@lifeline/testkit/wire/raw-sse-reader'
import { openRawWs } from '@lifeline/testkit/wire/raw-ws-reader'
import { describe, expect, it } from 'vitest'

const start = hubServersPerTest()

describe('hub.stats()', () => {
  it('counts open connections by pipe and by stream, and lets them go', async () => {
    const server = await start({ hubOptions: { pollTimeout: 60_000 } })
    const head = await server.hub.publish('b', { data: 'x' })
    const sse = await openRawSse(`${server.url}?stream=a`)
    const ws = await openRawWs(`${server.wsUrl}?stream=a`)
    const poll = await openRawSse(
      `${server.url}?stream=b&transport=long-poll&hold=60000&lastEventId=${head}`,
    )
    await Promise.all(
      [sse, ws, poll].map((r) => r.waitFor((items) => positionsOf(items).length > 0)),
    )
    const stats = server.hub.stats()
    expect(stats).toMatchObject({
      clients: 3,
      streams: 2,
      connections: { sse: 1, websocket: 1, 'long-poll': 1 },
      accepted: { sse: 1, websocket: 1, 'long-poll': 1 },
    })
    expect(new Map(stats.perStream.map((s) => [s.stream, s.connections]))).toEqual(
      new Map([
        ['a', { sse: 1, websocket: 1, 'long-poll': 0 }],
        ['b', { sse: 0, websocket: 0, 'long-poll': 1 }],
      ]),
    )
    for (const reader of [sse, ws, poll]) reader.close()
    await expect.poll(() => server.hub.stats().clients).toBe(0)
    expect(server.hub.stats()).toMatchObject({
      streams: 0,
      perStream: [],
      connections: { sse: 0, websocket: 0, 'long-poll': 0 },
      accepted: { sse: 1, websocket: 1, 'long-poll': 1 },
    })
  })

  it('counts publishes, resumes with the events they replayed, resets, and every byte written', async () => {
    const server = await start()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push(await server.hub.publish('events', { data: String(i) }))
    const resumed = await openRawSse(server.url, { lastEventId: ids[1] })
    const reset = await openRawSse(server.url, { lastEventId: 'gone-1' })
    const fresh = await openRawWs(server.wsUrl)
    await Promise.all(
      [resumed, reset, fresh].map((r) => r.waitFor((items) => positionsOf(items).length > 0)),
    )
    expect(server.hub.stats()).toMatchObject({
      published: 5,
      resumes: 1,
      replayedEvents: 3,
      resets: 1,
    })
    resumed.close()
    reset.close()
    fresh.close()
    await expect.poll(() => server.hub.stats().clients).toBe(0)
    // ASCII on the wire: every character the readers got is a byte the hub wrote, the
    // WebSocket's `: ok` acceptance frame aside (ws writes it, not a subscriber).
    const received = resumed.text.length + reset.text.length + fresh.text.length - ': ok\n\n'.length
    expect(server.hub.stats().bytesWritten).toBe(received)
  })
})

describe('onMetric', () => {
  it('is told each countable thing in order, and what it throws goes to onError', async () => {
    const metrics: HubMetric[] = []
    const errors: unknown[] = []
    const server = await start({
      hubOptions: {
        onMetric(metric) {
          metrics.push(metric)
          if (metric.kind === 'published') throw new Error('metrics backend down')
        },
        onError: (error) => errors.push(error),
      },
    })
    const id = await server.hub.publish('events', { data: 'a' })
    const reader = await openRawSse(server.url, { lastEventId: id })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    await server.hub.publish('events', { data: 'b' })
    await reader.waitForEvents(1)
    reader.close()
    await expect.poll(() => server.hub.stats().clients).toBe(0)
    expect(metrics).toEqual([
      { kind: 'published', stream: 'events' },
      { kind: 'connected', stream: 'events', pipe: 'sse' },
      { kind: 'resumed', stream: 'events', pipe: 'sse', replayed: 0 },
      { kind: 'published', stream: 'events' },
      { kind: 'disconnected', stream: 'events', pipe: 'sse' },
    ])
    expect(errors).toEqual([new Error('metrics backend down'), new Error('metrics backend down')])
  })
})
