import type http from 'node:http'
import { createHub, type Hub } from '@lifeline/server'
import {
  type BrowserHarness,
  type BrowserPage,
  launchBrowser,
} from '@lifeline/testkit/browser/harness'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

type EventSourcePage = typeof import('./eventsource-page')

const entry = new URL('./eventsource-page.ts', import.meta.url)
const STREAM = 'native'

let browser: BrowserHarness
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

describe("the browser's own EventSource against @lifeline/server", () => {
  let app: BrowserPage<EventSourcePage>
  let hub: Hub
  let resumePoints: (string | undefined)[]
  afterEach(async () => {
    await app?.close()
    await hub?.close()
  })

  async function openWithHub() {
    // The retry hint is what a native EventSource waits before reconnecting.
    hub = createHub({ retry: 50 })
    resumePoints = []
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!req.url?.startsWith('/events')) return void res.writeHead(404).end()
      const header = req.headers['last-event-id']
      resumePoints.push(typeof header === 'string' ? header : undefined)
      hub.sse(req, res, { stream: STREAM })
    }
    app = await browser.open<EventSourcePage>({ entry, handler })
  }

  it('receives events from the SSE endpoint', async () => {
    await openWithHub()
    await app.call('start', app.url('/events'))
    await app.call('opened')
    for (const data of ['a', 'b']) await hub.publish(STREAM, { data })
    const seen = await app.call('received', 2)
    expect(seen.map((m) => m.data)).toEqual(['a', 'b'])
    expect(seen.every((m) => m.lastEventId !== '')).toBe(true)
    expect(await app.call('close')).toBe(2)
  })

  it('resumes after a server-side cut with its automatic Last-Event-ID, no gap, no duplicate', async () => {
    await openWithHub()
    await app.call('start', app.url('/events'))
    await app.call('opened')
    for (const data of ['1', '2']) await hub.publish(STREAM, { data })
    const before = await app.call('received', 2)
    app.cut()
    await app.call('dropped')
    // Published while the source is away: only a resume can deliver them.
    for (const data of ['3', '4']) await hub.publish(STREAM, { data })
    const seen = await app.call('received', 4)
    expect(seen.map((m) => m.data)).toEqual(['1', '2', '3', '4'])
    expect(new Set(seen.map((m) => m.lastEventId)).size).toBe(4)
    // The reconnect carried the id of the last event seen before the cut.
    expect(resumePoints[0]).toBeUndefined()
    expect(resumePoints.slice(1)).toContain(before[1]?.lastEventId)
    expect(await app.call('close')).toBe(2)
  })
})
