import { fileURLToPath } from 'node:url'
import { createHub, type Hub } from '@lifeline/server'
import {
  BROWSER_DRAIN_MS,
  type BrowserHarness,
  type BrowserPage,
  launchBrowser,
} from '@lifeline/testkit/browser/harness'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PageView } from './page'

type Page = typeof import('./page')

// The vitest project says which React this run is for; the page bundles that one, in its
// development build, where StrictMode mounts every effect twice.
const major = process.env.LIFELINE_REACT ?? '19'
const reactDir = (name: string) =>
  fileURLToPath(
    new URL(
      `../${major === '18' ? '../react-18/' : '../../'}node_modules/${name}`,
      import.meta.url,
    ),
  )
const bundle = {
  alias: { react: reactDir('react'), 'react-dom': reactDir('react-dom') },
  define: { 'process.env.NODE_ENV': '"development"' },
}

let browser: BrowserHarness
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

interface Served {
  app: BrowserPage<Page>
  hub: Hub
  /** SSE requests and WebSocket upgrades the server got, by stream. */
  connections: Map<string, number>
  /** SSE requests of these streams get 502: a proxy that breaks streaming. */
  blocked: Set<string>
}

const streamOf = (url: string | undefined) =>
  new URL(url ?? '/', 'http://localhost').searchParams.get('stream') ?? 'events'

async function serve(): Promise<Served> {
  const hub = createHub({ retry: 50 })
  const connections = new Map<string, number>()
  const blocked = new Set<string>()
  const count = (stream: string) => connections.set(stream, (connections.get(stream) ?? 0) + 1)
  const app = await browser.open<Page>({
    entry: new URL('./page.ts', import.meta.url),
    bundle,
    handler: (req, res) => {
      if (!req.url?.startsWith('/events')) return void res.writeHead(404).end()
      const stream = streamOf(req.url)
      count(stream)
      if (blocked.has(stream)) return void res.writeHead(502).end()
      hub.sse(req, res, { stream })
    },
  })
  app.server.prependListener('upgrade', (req) => count(streamOf(req.url)))
  hub.attach(app.server, { path: '/events', stream: (req) => streamOf(req.url) })
  return { app, hub, connections, blocked }
}

/** Polls the page until `done` holds, with a bound; the failure shows what it rendered. */
async function until(
  app: BrowserPage<Page>,
  what: string,
  done: (view: PageView) => boolean,
  timeoutMs = 10_000,
): Promise<PageView> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const view = await app.call('current')
    if (done(view)) return view
    if (Date.now() > deadline)
      throw new Error(`no ${what} within ${timeoutMs} ms; the page shows ${JSON.stringify(view)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function drained(hub: Hub): Promise<void> {
  const deadline = Date.now() + BROWSER_DRAIN_MS
  while (hub.stats().clients > 0) {
    if (Date.now() > deadline) throw new Error(`${hub.stats().clients} client(s) still connected`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Publishes `from`…`to` as data; resolves with the last id. */
const publish = async (hub: Hub, stream: string, from: number, to: number) => {
  let id = ''
  for (let n = from; n <= to; n++) id = await hub.publish(stream, { data: String(n) })
  return id
}
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i))

describe(`@lifeline/react in Chromium with React ${major}`, () => {
  let served: Served
  afterEach(async () => {
    await served?.app.close()
    await served?.hub.close({ timeout: 500 })
  })

  for (const strict of [true, false]) {
    it(`${strict ? 'under StrictMode ' : ''}opens one connection, keeps it across re-renders with inline options, and sees every event once`, async () => {
      served = await serve()
      const { app, hub, connections } = served
      await app.call('mountStream', app.url('/events?stream=a'), { strict })
      await until(app, 'open stream', (v) => v.state === 'open')
      await publish(hub, 'a', 1, 5)
      const before = await until(app, 'five events', (v) => v.data.length === 5)
      for (let i = 0; i < 5; i++) await app.call('renderAgain')
      await until(app, 'five more renders', (v) => v.renders >= before.renders + 5)
      const lastId = await publish(hub, 'a', 6, 10)
      const after = await until(app, 'ten events', (v) => v.data.length === 10)
      expect(after.react.split('.')[0]).toBe(major)
      expect(after.data).toEqual(range(1, 10))
      expect(after.transport).toBe('sse-fetch')
      expect(after.lastEventId).toBe(lastId)
      expect(connections.get('a')).toBe(1)
      expect(hub.stats().clients).toBe(1)
      console.log(
        `React ${after.react}${strict ? ' StrictMode' : ''}: ${connections.get('a')} connection, ` +
          `${after.data.length} events, ${after.renders} renders`,
      )
      await app.call('unmount')
      await drained(hub)
    })
  }

  it('starts a new client for new options: the old connection closes and data starts again', async () => {
    served = await serve()
    const { app, hub, connections } = served
    await app.call('mountStream', app.url('/events?stream=a'), { strict: true })
    await until(app, 'open stream', (v) => v.state === 'open')
    await publish(hub, 'a', 1, 2)
    await until(app, 'two events', (v) => v.data.length === 2)
    await app.call('changeUrl', app.url('/events?stream=b'))
    await until(app, 'the new stream open', (v) => connections.get('b') === 1 && v.state === 'open')
    await hub.publish('b', { data: 'b1' })
    const view = await until(app, 'an event of b', (v) => v.data.length === 1)
    expect(view.data).toEqual(['b1'])
    expect(connections.get('a')).toBe(1)
    expect(connections.get('b')).toBe(1)
    const deadline = Date.now() + BROWSER_DRAIN_MS
    while (hub.stats().clients > 1 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20))
    expect(hub.stats().clients).toBe(1)
  })

  it('shows the fallback to WebSocket in transport when SSE is refused', async () => {
    served = await serve()
    const { app, hub, blocked, connections } = served
    blocked.add('c')
    await app.call('mountStream', app.url('/events?stream=c'), { strict: true, fallback: true })
    await until(
      app,
      'open over websocket',
      (v) => v.state === 'open' && v.transport === 'websocket',
    )
    await publish(hub, 'c', 1, 3)
    const view = await until(app, 'three events', (v) => v.data.length === 3)
    expect(view.data).toEqual(range(1, 3))
    // One refused SSE request, then one WebSocket: the double mount added none.
    expect(connections.get('c')).toBe(2)
  })

  it('LifelineProvider shares one connection; useConnectionState follows it in every badge', async () => {
    served = await serve()
    const { app, hub, connections } = served
    await app.call('mountShared', app.url('/events?stream=d'), { strict: true })
    await until(app, 'badges open', (v) => v.badges.join() === 'open sse-fetch,open sse-fetch')
    await publish(hub, 'd', 1, 4)
    const view = await until(app, 'four events in the feed', (v) => v.feed.length >= 4)
    expect(view.feed).toEqual(range(1, 4))
    expect(connections.get('d')).toBe(1)
    await app.call('unmount')
    await until(app, 'badges unchanged after unmount', (v) => v.badges.length === 2)
    await drained(hub)
  })
})
