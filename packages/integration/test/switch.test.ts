import { createClient } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { createFaultProxy, type FaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { record } from '@lifeline/testkit/scenario/client-recorder'
import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'
import { websocket } from '@lifeline/websocket'
import { afterEach, describe, expect, it } from 'vitest'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function setup(): Promise<{ server: HubServer; proxy: FaultProxy }> {
  const server = await startHubServer({ hubOptions: { heartbeat: 50, retry: 20 } })
  cleanups.push(() => server.close())
  const proxy = await createFaultProxy({
    upstream: { port: Number(new URL(server.url).port) },
    seed: 6,
  })
  cleanups.push(() => proxy.close())
  return { server, proxy }
}

describe('switching transports under the negotiator', () => {
  it('SSE → WebSocket → SSE with events published throughout: each delivered once, in order', async () => {
    const { server, proxy } = await setup()
    const client = createClient({
      url: `${proxy.url}/events`,
      transports: [sseFetch(), websocket()],
      strategy: { fallbackAfter: 2, resetAfter: false, upgradeAfter: 400 },
      backoff: { initial: 20, max: 100 },
      connectTimeout: 2_000,
      firstByteTimeout: 2_000,
      heartbeatTimeout: 2_000,
    })
    cleanups.push(() => client.close())
    const seen = record(client)
    const delivered = seen.events

    // A fresh client gets live events only: publish once it holds its position.
    await seen.until(() => client.connection.lastEventId !== undefined, 'the position block')
    const total = 600
    const published: string[] = []
    let stop = false
    const publisher = (async () => {
      for (let seq = 1; seq <= total && !stop; seq++) {
        published.push(await server.hub.publish('events', { data: String(seq) }))
        if (seq % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 2))
      }
    })()
    cleanups.push(() => {
      stop = true
      return publisher
    })

    await seen.until(() => delivered.length >= 100, '100 events over SSE')
    expect(client.connection.transport).toBe('sse-fetch')
    const block = proxy.setRule(
      { headers: { accept: 'text/event-stream' } },
      { kind: 'status', status: 502 },
    )
    proxy.cutAll({ mode: 'rst' })
    await seen.until(() => client.connection.transport === 'websocket', 'the fallback to WebSocket')
    const onWebSocket = delivered.length
    await seen.until(() => delivered.length >= onWebSocket + 100, '100 events over WebSocket')
    block.remove()
    await seen.until(() => client.connection.transport === 'sse-fetch', 'the upgrade back to SSE')
    await publisher
    await seen.until(() => delivered.length >= total, 'every event')

    const switches = seen.transports.map(({ event }) => `${event.to}:${event.reason?.kind}`)
    expect(switches).toEqual(['websocket:http', 'sse-fetch:upgrade'])
    expect(delivered.map((event) => event.id)).toEqual(published)
    expect(delivered.map((event) => event.data)).toEqual(published.map((_, i) => String(i + 1)))
    const pipes = new Set(delivered.map((event) => event.transport))
    expect(pipes).toEqual(new Set(['sse-fetch', 'websocket']))
    const diagnostics = client.connection.diagnostics()
    expect(diagnostics.switches).toBe(2)
    expect(diagnostics.upgrades).toBe(1)
    expect(diagnostics.gaps).toBe(0)
  })
})
