import { type ConnectionEvents, createClient } from '@lifeline/core'
import { publishSteadily, type SteadyPublisher } from '@lifeline/integration'
import { longPoll } from '@lifeline/long-poll'
import { sseFetch } from '@lifeline/sse-fetch'
import { mulberry32 } from '@lifeline/testkit/doubles/prng'
import { createFaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { record } from '@lifeline/testkit/scenario/client-recorder'
import { FAST, STREAM } from '@lifeline/testkit/scenario/rig'
import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'
import { startNginx } from '@lifeline/testkit/servers/nginx'
import { websocket } from '@lifeline/websocket'
import { afterEach, describe, expect, it } from 'vitest'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** What a run through a path that buffers SSE and refuses WebSocket saw. */
interface FallbackRun {
  published: string[]
  delivered: { id: string | undefined; data: string; transport: string }[]
  transports: ConnectionEvents['transport'][]
  gaps: number
}

/**
 * Drives the recommended client through `url` (a path that buffers SSE and refuses
 * WebSocket): it must fall back to long-poll, receive events published throughout, and
 * upgrade back to SSE once `heal` fixes the path; then the run drains and reports.
 */
async function fallBackAndUpgrade(
  server: HubServer,
  url: string,
  heal: () => Promise<void>,
  seed: number,
): Promise<FallbackRun> {
  const client = createClient({
    url,
    transports: [sseFetch(), websocket(), longPoll()],
    strategy: { fallbackAfter: 2, upgradeAfter: 500 },
    environment: { random: mulberry32(seed) },
    ...FAST.client,
  })
  cleanups.push(() => client.close())
  const seen = record(client)
  cleanups.push(() => seen.detach())
  const { connection } = client
  // SSE never delivers a byte here, so the first position comes from a poll.
  await seen.until(
    () => connection.transport === 'long-poll' && connection.lastEventId !== undefined,
    'the fallback to long-poll, positioned',
  )
  const publisher: SteadyPublisher = publishSteadily(
    (seq) => server.hub.publish(STREAM, { data: String(seq) }),
    { total: 1_000_000, perSecond: 500 },
  )
  cleanups.push(() => publisher.stop())
  await seen.until(
    () => seen.events.filter((e) => e.transport === 'long-poll').length >= 200,
    '200 events over long-poll',
  )
  expect(server.hub.stats().connections.sse).toBeLessThanOrEqual(1)
  await heal()
  await seen.until(() => connection.transport === 'sse-fetch', 'the upgrade back to SSE')
  const tail = seen.events.length + 100
  await seen.until(() => seen.events.length >= tail, '100 events over SSE after the upgrade')
  await publisher.stop()
  const published = [...publisher.ids]
  await seen.until(() => seen.events.length >= published.length, 'every published event')
  return {
    published,
    delivered: seen.events.map(({ id, data, transport }) => ({ id, data, transport })),
    transports: seen.transports.map((t) => t.event),
    gaps: seen.gaps.length,
  }
}

/** Every event once, in publish order, over long-poll first and SSE at the end. */
function expectExactlyOnce(run: FallbackRun): void {
  expect(run.delivered.map((e) => e.id)).toEqual(run.published)
  expect(run.delivered.map((e) => e.data)).toEqual(run.published.map((_, i) => String(i + 1)))
  expect(run.gaps).toBe(0)
  const pipes = run.delivered.map((e) => e.transport)
  expect(pipes[0]).toBe('long-poll')
  expect(pipes.at(-1)).toBe('sse-fetch')
  expect(new Set(pipes)).toEqual(new Set(['long-poll', 'sse-fetch']))
}

describe('long-poll: SSE buffered and WebSocket refused on the path', () => {
  // A gateway that cannot carry the upgrade (502), or a proxy that forbids it (403): a
  // repeated 403 falls back like any failure while another transport is left.
  it.each([502, 403])(
    "through the fault proxy's buffer fault, upgrades answered %i: falls back to long-poll, every event once, and upgrades back when SSE heals",
    async (status) => {
      const server = await startHubServer({ hubOptions: FAST.hub })
      cleanups.push(() => server.close())
      const proxy = await createFaultProxy({
        upstream: { port: Number(new URL(server.url).port) },
        seed: 11,
      })
      cleanups.push(() => proxy.close())
      const buffering = proxy.setRule({ upgrade: false }, { kind: 'buffer' })
      proxy.setRule({ upgrade: true }, { kind: 'status', status })
      const run = await fallBackAndUpgrade(
        server,
        `${proxy.url}/events`,
        async () => {
          // The proxy's configuration fixed: new requests and the open keep-alive ones.
          buffering.remove()
          proxy.applyAll({ kind: 'pass' })
        },
        11,
      )
      expectExactlyOnce(run)
      expect(run.transports).toEqual([
        { from: 'sse-fetch', to: 'websocket', reason: { kind: 'buffered' } },
        { from: 'websocket', to: 'long-poll', reason: { kind: 'http', status } },
        { from: 'long-poll', to: 'sse-fetch', reason: { kind: 'upgrade' } },
      ])
      expect(server.hub.stats().accepted['long-poll']).toBeGreaterThan(1)
    },
  )

  it('through a real nginx with proxy_buffering on: falls back to long-poll, every event once, and upgrades back when buffering is turned off', async () => {
    const server = await startHubServer({ hubOptions: FAST.hub })
    cleanups.push(() => server.close())
    const nginx = await startNginx({
      upstreamPort: Number(new URL(server.url).port),
      buffering: true,
      // nginx's default: the upgrade goes on as a plain GET, which the hub answers as SSE.
      upgrades: 'dropped',
    })
    cleanups.push(() => nginx.close())
    const run = await fallBackAndUpgrade(
      server,
      `${nginx.origin}/events`,
      () => nginx.reconfigure({ buffering: false, upgrades: 'dropped' }),
      12,
    )
    expectExactlyOnce(run)
    // nginx holds even the response head of a stream it buffers: the attempt times out, and
    // so does the WebSocket handshake it turned into a GET.
    expect(run.transports).toEqual([
      { from: 'sse-fetch', to: 'websocket', reason: { kind: 'timeout' } },
      { from: 'websocket', to: 'long-poll', reason: { kind: 'timeout' } },
      { from: 'long-poll', to: 'sse-fetch', reason: { kind: 'upgrade' } },
    ])
    expect(server.hub.stats().accepted['long-poll']).toBeGreaterThan(1)
  })
})
