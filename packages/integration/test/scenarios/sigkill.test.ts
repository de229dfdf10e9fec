import { createClient } from '@lifeline/core'
import { type HubProcess, startHubProcess } from '@lifeline/integration'
import { sseFetch } from '@lifeline/sse-fetch'
import { createFaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { record } from '@lifeline/testkit/scenario/client-recorder'
import { FAST } from '@lifeline/testkit/scenario/rig'
import { websocket } from '@lifeline/websocket'
import { afterEach, describe, expect, it } from 'vitest'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const epoch = (id: string | undefined) => id?.slice(0, id.lastIndexOf('-'))

describe('scenario 9: the server process killed with SIGKILL mid-stream and restarted', () => {
  it('gets gap for the new epoch and continues; nothing of the old epoch comes back as new', async () => {
    const started: HubProcess[] = []
    cleanups.push(() => Promise.all(started.map((p) => p.kill())))
    const first = await startHubProcess()
    started.push(first)
    // The proxy keeps the client's address stable across the restart.
    const proxy = await createFaultProxy({ upstream: { port: first.port } })
    cleanups.push(() => proxy.close())
    const client = createClient({
      url: `${proxy.url}/events`,
      transports: [sseFetch(), websocket()],
      ...FAST.client,
    })
    cleanups.push(() => client.close())
    const seen = record(client)
    await seen.until(() => client.connection.lastEventId !== undefined, 'the position block')

    void first.publish(100_000, 1_000)
    await seen.until(() => seen.events.length >= 200, '200 events from the first process')
    await first.kill()
    const second = await startHubProcess()
    started.push(second)
    proxy.setUpstream({ port: second.port })
    await seen.until(
      () => seen.gaps.length === 1 && client.connection.lastEventId !== undefined,
      'the gap and a position on the new process',
    )
    const beforeRestart = seen.events.length
    await second.publish(300, 1_000)
    await seen.until(() => seen.events.length >= beforeRestart + 300, 'the new process’s events')

    const oldEpoch = epoch(first.ids[0])
    const old = seen.events.filter((e) => epoch(e.id) === oldEpoch)
    const fresh = seen.events.slice(old.length)
    // The old process's events, once and in order, as far as it got them out before dying…
    expect(old.map((e) => e.data)).toEqual(old.map((_, i) => String(i + 1)))
    // (the child's last id reports may die with it, so compare what both sides know)
    const known = Math.min(old.length, first.ids.length)
    expect(old.slice(0, known).map((e) => e.id)).toEqual(first.ids.slice(0, known))
    expect(old.length).toBeGreaterThanOrEqual(200)
    // …then exactly the new process's events: no old id replayed, none repeated.
    expect(fresh.map((e) => e.id)).toEqual(second.ids)
    expect(seen.gaps.map((g) => epoch(g.event.lastEventId))).toEqual([oldEpoch])
    expect(client.connection.diagnostics().gaps).toBe(1)
  })
})
