import type http from 'node:http'
import { createHub, type Hub } from '@lifeline/server'
import {
  BROWSER_DRAIN_MS,
  type BrowserHarness,
  type BrowserPage,
  launchBrowser,
} from '@lifeline/testkit/browser/harness'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { until } from '@lifeline/testkit/wait'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

type ClientPage = typeof import('./client-page')

const entry = new URL('./client-page.ts', import.meta.url)
const STREAM = 'browser'

let browser: BrowserHarness
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

/** The page's server also serves the hub's SSE (and long-poll) and WebSocket endpoints on /events. */
async function openWithHub(): Promise<{ app: BrowserPage<ClientPage>; hub: Hub }> {
  // A short retry hint: the client's first reconnect after a cut waits for it.
  const hub = createHub({ retry: 50 })
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url?.startsWith('/events')) hub.sse(req, res, { stream: STREAM })
    else res.writeHead(404).end()
  }
  const app = await browser.open<ClientPage>({ entry, handler })
  hub.attach(app.server, { path: '/events', stream: STREAM })
  return { app, hub }
}

/** Waits, with a bound, until the hub holds no connection. */
async function drained(hub: Hub): Promise<void> {
  await until(() => hub.stats().clients === 0, 'the hub to hold no connection', {
    pollMs: 20,
    timeoutMs: BROWSER_DRAIN_MS,
    detail: () => `${hub.stats().clients} client(s) still connected`,
  })
}

describe.each(['sse-fetch', 'websocket', 'sse-xhr', 'long-poll'])(
  '%s in Chromium with createClient',
  (adapter) => {
    let app: BrowserPage<ClientPage>
    let hub: Hub
    afterEach(async () => {
      await app?.close()
      await hub?.close()
    })

    it('receives events published after it connected', async () => {
      ;({ app, hub } = await openWithHub())
      await app.call('start', adapter, app.url('/events'))
      await app.call('opened')
      for (const data of ['a', 'b', 'c']) await hub.publish(STREAM, { data })
      const seen = await app.call('received', 3)
      expect(seen.map((e) => [e.type, e.data, e.transport])).toEqual([
        ['message', 'a', adapter],
        ['message', 'b', adapter],
        ['message', 'c', adapter],
      ])
    })

    it('resumes after a server-side cut: no gap, no duplicate, in order', async () => {
      ;({ app, hub } = await openWithHub())
      await app.call('start', adapter, app.url('/events'))
      await app.call('opened')
      for (const data of ['1', '2']) await hub.publish(STREAM, { data })
      await app.call('received', 2)
      app.cut()
      // Published while the client is away: only a resume can deliver them.
      for (const data of ['3', '4']) await hub.publish(STREAM, { data })
      await app.call('opened')
      await hub.publish(STREAM, { data: '5' })
      const seen = await app.call('received', 5)
      expect(seen.map((e) => e.data)).toEqual(['1', '2', '3', '4', '5'])
      expect(new Set(seen.map((e) => e.id)).size).toBe(5)
      const { states, gaps } = await app.call('close')
      expect(states).toContain('reconnecting')
      expect(gaps).toBe(0)
    })

    it('closes cleanly: state closed, the server holds no connection, nothing reconnects', async () => {
      ;({ app, hub } = await openWithHub())
      await app.call('start', adapter, app.url('/events'))
      await app.call('opened')
      // A poll is one connection too, once the first (answered at once) has given a position.
      await expect.poll(() => hub.stats().clients).toBe(1)
      const { state, pendingTimers } = await app.call('close')
      expect(state).toBe('closed')
      // Nothing scheduled: no reconnect can follow, however long the page stays.
      expect(pendingTimers).toEqual([])
      await drained(hub)
      await hub.publish(STREAM, { data: 'after close' })
      expect(hub.stats().clients).toBe(0)
    })
  },
)

describe('sse-xhr recycling against the hub in Chromium', () => {
  let app: BrowserPage<ClientPage> | undefined
  let hub: Hub | undefined
  afterEach(async () => {
    await app?.close()
    await hub?.close()
  })

  it('recycles past maxResponseBytes and resumes from the hub at once: every event once, no backoff wait', async () => {
    ;({ app, hub } = await openWithHub())
    const total = 600
    const run = app.call('recycling', app.url('/events'), total, 8 * 1024)
    const published: string[] = []
    await expect.poll(() => hub?.stats().clients).toBe(1)
    // ~200-byte events in bursts of 20: several recycles (progress events come every 50 ms,
    // so each request overshoots 8 KiB by what arrived meanwhile), some while events are
    // published.
    for (let i = 0; i < total; i++) {
      published.push(await hub.publish(STREAM, { data: `${i} ${'x'.repeat(200)}` }))
      if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const result = await run
    expect(result.ids).toEqual(published)
    expect(result.gaps).toBe(0)
    expect(result.reconnects).toBeGreaterThanOrEqual(5)
    expect(result.retries).toBe(0)
  })
})

describe('websocket from a page on another origin', () => {
  let app: BrowserPage<ClientPage> | undefined
  const servers: { close(): Promise<void> }[] = []
  afterEach(async () => {
    await app?.call('close')
    await app?.close()
    for (const server of servers.splice(0)) await server.close()
  })

  it('is refused by a hub that does not list the origin, which the client counts as a failure', async () => {
    app = await browser.open<ClientPage>({ entry, handler: (_req, res) => res.end() })
    const pageOrigin = new URL(app.url('/')).origin
    const foreign = await startHubServer()
    servers.push(foreign)
    await app.call('start', 'websocket', foreign.url)
    // Chromium shows a refused upgrade as close code 1006: a network failure, retried.
    expect((await app.call('failed', 2)).slice(0, 2)).toEqual([
      'connection network',
      'connection network',
    ])
    expect(foreign.hub.stats().clients).toBe(0)
    await app.call('close')

    const allowed = await startHubServer({ hubOptions: { origins: [pageOrigin] } })
    servers.push(allowed)
    await app.call('start', 'websocket', allowed.url)
    await app.call('opened')
    await allowed.hub.publish('events', { data: 'welcome' })
    expect((await app.call('received', 1)).map((event) => event.data)).toEqual(['welcome'])
  })
})

describe('browser lifecycle in Chromium', () => {
  let app: BrowserPage<ClientPage> | undefined
  let hub: Hub | undefined
  afterEach(async () => {
    await app?.page.context().setOffline(false)
    await app?.call('close')
    await app?.close()
    await hub?.close()
  })

  it('drops the stream when the browser goes offline, waits without retrying, and resumes at once online', async () => {
    ;({ app, hub } = await openWithHub())
    await app.call('start', 'sse-fetch', app.url('/events'))
    await app.call('opened')
    const before = await hub.publish(STREAM, { data: 'before' })
    await app.call('received', 1)

    await app.page.context().setOffline(true)
    await app.call('reached', 'reconnecting')
    // The drop may be seen before the offline signal, and schedule a retry that the signal
    // then cancels: wait for the client to settle with no timer pending. From then on,
    // however long the page stays offline, only the online signal can start an attempt.
    const offline = await until(
      async () => {
        const status = await app?.call('status')
        return status?.pendingTimers.length === 0 && status
      },
      'no timer pending while offline',
      { pollMs: 20 },
    )
    expect(offline.online).toBe(false)
    expect(offline.state).toBe('reconnecting')
    // Published while the page is offline: only a resume can deliver them.
    const during = [
      await hub.publish(STREAM, { data: 'during 1' }),
      await hub.publish(STREAM, { data: 'during 2' }),
    ]
    expect((await app.call('status')).connects).toBe(offline.connects)

    await app.page.context().setOffline(false)
    await app.call('opened')
    const seen = await app.call('received', 3)
    expect(seen.map((event) => event.id)).toEqual([before, ...during])
    const { gaps } = await app.call('close')
    expect(gaps).toBe(0)
  })
})
