import { lingering, publishSteadily, type SteadyPublisher } from '@lifeline/integration'
import { sseFetch } from '@lifeline/sse-fetch'
import { createPrng } from '@lifeline/testkit/doubles/prng'
import { FAST, startRig } from '@lifeline/testkit/scenario/rig'
import { websocket } from '@lifeline/websocket'
import { describe, expect, it } from 'vitest'

const SEED = Number(process.env.LIFELINE_LATE_SEED ?? 10)

describe('scenario 10: a switch while the old pipe still delivers late frames', () => {
  it(`ignores every late frame and duplicates nothing (seed ${SEED})`, async () => {
    // Both pipes keep delivering for 400 ms after the client gave them up.
    const sse = lingering(sseFetch(), 400)
    const ws = lingering(websocket(), 400)
    const rig = await startRig({
      seed: SEED,
      client: {
        transports: [sse, ws],
        strategy: { fallbackAfter: 1, upgradeAfter: 300 },
        ...FAST.client,
      },
    })
    const { seen, client } = rig
    let publisher: SteadyPublisher | undefined
    try {
      await rig.positioned()
      publisher = publishSteadily(rig.publish, { total: 1_000_000, perSecond: 1_000 })
      // The old pipe goes quiet at a random event, holding what it receives; the client
      // calls it a stall, switches to WebSocket, and then the old pipe lets it all out.
      const at = createPrng(SEED).int(50, 400)
      await seen.until(() => seen.events.length >= at, `event ${at}`)
      sse.hold()
      await seen.until(() => client.connection.transport === 'websocket', 'the fallback')
      // After upgradeAfter the SSE probe takes over, and the WebSocket lingers in turn.
      await seen.until(() => seen.transports.length === 2, 'the upgrade back to SSE')
      const upgradedAt = seen.events.length
      await seen.until(() => seen.events.length >= upgradedAt + 500, '500 events after it')
      const ids = publisher.ids
      await publisher.stop()
      await seen.until(() => seen.events.length >= ids.length, 'every event')

      expect(seen.transports.map((t) => t.event)).toEqual([
        { from: 'sse-fetch', to: 'websocket', reason: { kind: 'stall' } },
        { from: 'websocket', to: 'sse-fetch', reason: { kind: 'upgrade' } },
      ])
      // The late frames happened, on both pipes, and none of them reached the app: not the
      // real ones (no duplicate), not the forged ones (never published, so never equal).
      expect(sse.lateEvents).toBeGreaterThan(sse.forgedEvents)
      expect(ws.lateEvents).toBeGreaterThan(ws.forgedEvents)
      expect(sse.forgedEvents).toBeGreaterThan(0)
      expect(ws.forgedEvents).toBeGreaterThan(0)
      expect(seen.events.map((e) => e.id)).toEqual(ids)
      expect(client.connection.lastEventId).toBe(ids.at(-1))
      expect(client.connection.diagnostics()).toMatchObject({ events: ids.length, gaps: 0 })
    } finally {
      await publisher?.stop()
      await rig.close()
    }
  })
})
