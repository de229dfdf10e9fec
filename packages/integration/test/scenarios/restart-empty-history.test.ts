import { createClient, type Transport } from '@lifeline/core'
import { publishSteadily } from '@lifeline/integration'
import { sseFetch } from '@lifeline/sse-fetch'
import { createFaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { record } from '@lifeline/testkit/scenario/client-recorder'
import { FAST, STREAM } from '@lifeline/testkit/scenario/rig'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { websocket } from '@lifeline/websocket'
import { afterEach, describe, expect, it } from 'vitest'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const transports: [string, () => Transport][] = [
  ['sse-fetch', () => sseFetch()],
  ['websocket', () => websocket()],
]

describe.each(transports)(
  'scenario 2: a server restarted with empty history (%s)',
  (_, transport) => {
    it('gets reset for the unknown resume point, emits gap once, and then live events flow', async () => {
      const before = await startHubServer({ hubOptions: FAST.hub })
      cleanups.push(() => before.close())
      const proxy = await createFaultProxy({ upstream: { port: Number(new URL(before.url).port) } })
      cleanups.push(() => proxy.close())
      const client = createClient({
        url: `${proxy.url}/events`,
        transports: [transport()],
        ...FAST.client,
      })
      cleanups.push(() => client.close())
      const seen = record(client)
      await seen.until(() => client.connection.lastEventId !== undefined, 'the position block')
      const old = publishSteadily((seq) => before.hub.publish(STREAM, { data: `old ${seq}` }), {
        total: 50,
        perSecond: 1_000,
      })
      await old.done
      await seen.until(() => seen.events.length >= 50, 'the first server’s events')

      // The restart: a new hub with a new memory log behind the same address.
      const after = await startHubServer({ hubOptions: FAST.hub })
      cleanups.push(() => after.close())
      proxy.setUpstream({ port: Number(new URL(after.url).port) })
      proxy.cutAll({ mode: 'rst' })
      await seen.until(
        () => seen.gaps.length === 1 && client.connection.lastEventId !== undefined,
        'the gap and the new server’s position block',
      )
      const fresh = publishSteadily((seq) => after.hub.publish(STREAM, { data: `new ${seq}` }), {
        total: 100,
        perSecond: 1_000,
      })
      await fresh.done
      await seen.until(() => seen.events.length >= 150, 'the new server’s events')

      expect(seen.gaps.map((g) => g.event)).toEqual([
        { lastEventId: old.ids[49], reason: { kind: 'reset' } },
      ])
      // Nothing of the old epoch came back as new: the old events once, then the new ones.
      expect(seen.events.map((e) => e.id)).toEqual([...old.ids, ...fresh.ids])
      expect(client.connection.diagnostics()).toMatchObject({ gaps: 1, duplicates: 0 })
      expect(client.connection.state).toBe('open')
    })
  },
)
