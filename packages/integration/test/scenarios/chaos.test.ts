import {
  createSequenceCheck,
  publishSteadily,
  type SequenceReport,
  startChaos,
} from '@lifeline/integration'
import { sseFetch } from '@lifeline/sse-fetch'
import { mulberry32 } from '@lifeline/testkit/doubles/prng'
import { FAST, startRig } from '@lifeline/testkit/scenario/rig'
import { websocket } from '@lifeline/websocket'
import { describe, expect, it } from 'vitest'

// Replay one run: LIFELINE_CHAOS_SEED=<seed> npx vitest run test/scenarios/chaos.test.ts
const SEEDS = process.env.LIFELINE_CHAOS_SEED
  ? [Number(process.env.LIFELINE_CHAOS_SEED)]
  : [8_001, 8_002, 8_003]
const TOTAL = Number(process.env.LIFELINE_CHAOS_EVENTS ?? 20_000)
const PER_SECOND = 1_000

/** The figures of one run, as docs/reliability.md records them. */
interface ChaosFigures {
  seed: number
  events: number
  faults: number
  faultsOnWebSocket: number
  reconnects: number
  switches: number
  upgrades: number
  duplicatesDropped: number
  gaps: number
  failures: Record<string, number>
  check: SequenceReport
  seconds: number
}

describe.each(SEEDS)('scenario 8: chaos through the fault proxy, seed %i', (seed) => {
  it(
    'delivers every one of the events exactly once, in publish order, over SSE and WebSocket',
    async () => {
      const rig = await startRig({
        seed,
        client: {
          transports: [sseFetch(), websocket()],
          strategy: { upgradeAfter: 1_000 },
          environment: { random: mulberry32(seed) },
          ...FAST.client,
        },
      })
      const check = createSequenceCheck(TOTAL)
      rig.client.on('message', (e) => check.see(Number(e.data)))
      const started = performance.now()
      const chaos = startChaos({ proxy: rig.proxy, seed, blockSse: 0.1 })
      const replay = () =>
        `seed ${seed} (replay: LIFELINE_CHAOS_SEED=${seed}); ${rig.seen.describe()}; ` +
        `last faults: ${chaos.log.slice(-8).join(' | ')}`
      let figures: ChaosFigures | undefined
      try {
        await rig.positioned()
        const publisher = publishSteadily(rig.publish, { total: TOTAL, perSecond: PER_SECOND })
        await publisher.done
        chaos.stop()
        await rig.seen
          .until(() => rig.seen.events.length >= TOTAL, 'every event', 20_000)
          .catch((error: Error) => {
            throw new Error(`${error.message}\n${replay()}`)
          })
        const diagnostics = rig.client.connection.diagnostics()
        figures = {
          seed,
          events: TOTAL,
          faults: chaos.injected,
          faultsOnWebSocket: chaos.injectedOnWebSocket,
          reconnects: rig.seen.states.filter((s) => s.event.to === 'reconnecting').length,
          switches: diagnostics.switches,
          upgrades: diagnostics.upgrades,
          duplicatesDropped: diagnostics.duplicates,
          gaps: diagnostics.gaps,
          failures: diagnostics.failures,
          check: check.report(),
          seconds: Math.round((performance.now() - started) / 100) / 10,
        }
        console.log(`chaos figures ${JSON.stringify(figures)}`)
        expect(figures.check, replay()).toEqual({
          delivered: TOTAL,
          lost: 0,
          duplicates: 0,
          outOfOrder: 0,
          firstLost: [],
        })
        expect(
          rig.seen.events.map((e) => e.id),
          replay(),
        ).toEqual(publisher.ids)
        expect(figures.gaps, replay()).toBe(0)
        // The schedule did what it is for: faults on both pipes, and the client moved.
        expect(figures.faults, replay()).toBeGreaterThanOrEqual(TOTAL / PER_SECOND)
        expect(figures.faultsOnWebSocket, replay()).toBeGreaterThan(0)
        expect(new Set(rig.seen.events.map((e) => e.transport)), replay()).toEqual(
          new Set(['sse-fetch', 'websocket']),
        )
      } finally {
        chaos.stop()
        await rig.close()
      }
    },
    (TOTAL / PER_SECOND) * 1_000 + 60_000,
  )
})
