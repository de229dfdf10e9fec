import { publishSteadily, startChaos } from '@lifeline/integration'
import { type BrowserHarness, launchBrowser } from '@lifeline/testkit/browser/harness'
import { createFaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { FAST, STREAM } from '@lifeline/testkit/scenario/rig'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type ChaosPage = typeof import('./chaos-page')

// The run of scenario 8, in Chromium: three seeds of 20,000 events.
// Replay one run: LIFELINE_CHAOS_SEED=<seed> npx vitest run test/scenarios/chaos.browser.test.ts
const SEEDS = process.env.LIFELINE_CHAOS_SEED
  ? [Number(process.env.LIFELINE_CHAOS_SEED)]
  : [11_001, 11_002, 11_003]
const TOTAL = Number(process.env.LIFELINE_BROWSER_CHAOS_EVENTS ?? 20_000)
const PER_SECOND = 1_000

let browser: BrowserHarness
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

describe.each(SEEDS)('scenario 11: chaos in Chromium with all three adapters, seed %i', (SEED) => {
  it(
    `delivers every event exactly once, in order, to a client led by each adapter (seed ${SEED})`,
    async () => {
      // The page is on its own origin and reaches the hub through the proxy: cross-origin.
      const server = await startHubServer({
        hubOptions: { ...FAST.hub, cors: { origins: () => true }, origins: () => true },
      })
      const proxy = await createFaultProxy({
        upstream: { port: Number(new URL(server.url).port) },
        seed: SEED,
      })
      const app = await browser.open<ChaosPage>({
        entry: new URL('./chaos-page.ts', import.meta.url),
      })
      const chaos = startChaos({ proxy, seed: SEED, blockSse: 0.1 })
      const replay = () =>
        `seed ${SEED} (replay: LIFELINE_CHAOS_SEED=${SEED}); last faults: ${chaos.log.slice(-8).join(' | ')}; page errors: ${app.errors.join(' | ')}`
      try {
        await app.call('start', `${proxy.url}/events`, SEED, TOTAL)
        await app.call('positioned')
        const publisher = publishSteadily(
          (seq) => server.hub.publish(STREAM, { data: String(seq) }),
          {
            total: TOTAL,
            perSecond: PER_SECOND,
          },
        )
        await publisher.done
        chaos.stop()
        // The page bounds its own wait, a little inside the call's bound, to say who lags.
        await app.callWithin(20_000, 'delivered', TOTAL, 19_000).catch((error: Error) => {
          throw new Error(`${error.message}\n${replay()}`)
        })
        const results = await app.call('finish')
        for (const result of results) {
          const { lead, report, pipes, diagnostics, reconnects } = result
          console.log(
            `browser chaos figures ${JSON.stringify({ seed: SEED, lead, events: TOTAL, faults: chaos.injected, reconnects, switches: diagnostics.switches, upgrades: diagnostics.upgrades, duplicatesDropped: diagnostics.duplicates, gaps: diagnostics.gaps, failures: diagnostics.failures, lost: report.lost, pipes })}`,
          )
          expect(report, `${lead}: ${replay()}`).toEqual({
            delivered: TOTAL,
            lost: 0,
            duplicates: 0,
            outOfOrder: 0,
            firstLost: [],
          })
          expect(result.ids, `${lead}: ${replay()}`).toEqual(publisher.ids)
          expect(diagnostics.gaps, `${lead}: ${replay()}`).toBe(0)
          // Each client really ran on the adapter that leads it, not only on its fallback.
          expect(pipes, `${lead}: ${replay()}`).toContain(lead)
        }
        expect(results.map((r) => r.lead)).toEqual(['sse-fetch', 'sse-xhr', 'websocket'])
        expect(chaos.injected, replay()).toBeGreaterThanOrEqual(TOTAL / PER_SECOND)
      } finally {
        chaos.stop()
        await app.close()
        await proxy.close()
        await server.close()
      }
    },
    (TOTAL / PER_SECOND) * 1_000 + 60_000,
  )
})
