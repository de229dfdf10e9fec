import {
  BROWSER_DRAIN_MS,
  type BrowserHarness,
  type BrowserPage,
  launchBrowser,
} from '@lifeline/testkit/browser/harness'
import { forwardTo } from '@lifeline/testkit/browser/same-origin-proxy'
import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'
import { numbers, publishNumbered } from '@lifeline/testkit/servers/numbered-publisher'
import { until } from '@lifeline/testkit/wait'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TabView } from './page'

type Page = typeof import('./page')
type Tab = BrowserPage<Page>

const entry = new URL('./page.ts', import.meta.url)
const STREAM = 'tabs'

let browser: BrowserHarness
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

/** The SSE connections the hub's server was asked for: in all, open now, and at most at once. */
interface Connections {
  total: number
  open: number
  peak: number
}

interface Served {
  hub: HubServer
  connections: Connections
  /** Every tab, in the order they started their client; the first page owns the others. */
  tabs: Tab[]
}

let served: Served | undefined
afterEach(async () => {
  await served?.tabs[0]?.close()
  await served?.hub.close({ timeout: 500 })
  served = undefined
})

/** The hub behind a same-origin page, and `count` tabs of it, each with a shared client. */
async function serve(count: number): Promise<Served> {
  const hub = await startHubServer({ hubOptions: { retry: 50 } })
  const connections: Connections = { total: 0, open: 0, peak: 0 }
  hub.server.prependListener('request', (req, res) => {
    if (!req.url?.startsWith('/events')) return
    connections.total++
    connections.peak = Math.max(connections.peak, ++connections.open)
    res.on('close', () => connections.open--)
  })
  const first = await browser.open<Page>({ entry, handler: forwardTo(() => hub.origin) })
  const tabs = [first]
  while (tabs.length < count) tabs.push(await first.openTab())
  served = { hub, connections, tabs }
  // One after the other, so the lock queue is in tab order.
  for (const tab of tabs) await tab.call('start', tab.url(`/events?stream=${STREAM}`))
  return served
}

const views = (tabs: Tab[]) => Promise.all(tabs.map((tab) => tab.call('current')))

/** Waits for exactly one leader among `tabs`, every client open; returns it. */
async function leaderOf(tabs: Tab[]): Promise<Tab> {
  let last: TabView[] = []
  const index = await until(
    async () => {
      last = await views(tabs)
      const leaders = last.filter((view) => view.role === 'leader')
      if (leaders.length !== 1 || last.some((view) => view.state !== 'open')) return undefined
      return last.findIndex((view) => view.role === 'leader') + 1
    },
    'one leader, every tab open',
    { timeoutMs: 10_000, detail: () => JSON.stringify(last.map(({ data, ...view }) => view)) },
  )
  return tabs[index - 1] as Tab
}

/** Waits until each of `tabs` saw `count` events; returns what they show then. */
async function allSaw(tabs: Tab[], count: number): Promise<TabView[]> {
  let last: TabView[] = []
  await until(
    async () => {
      last = await views(tabs)
      return last.every((view) => view.data.length >= count)
    },
    `every tab to see ${count} events`,
    { timeoutMs: 15_000, detail: () => last.map((view) => view.data.length).join(', ') },
  )
  return last
}

/** How a tab's events differ from 1…total: repeated ones, missing ones, order. */
function tally(data: string[], total: number) {
  const seen = new Set(data)
  return {
    duplicates: data.length - seen.size,
    losses: numbers(1, total).filter((n) => !seen.has(n)).length,
    inOrder: data.every((value, i) => i === 0 || Number(value) > Number(data[i - 1])),
  }
}

describe('@lifeline/tabs in Chromium: tabs of one browser context share one connection', () => {
  it('every surviving tab sees every event once, in order, while leaders are closed and crash', async () => {
    const PAGES = 5
    const EVENTS = 300
    const { hub, connections, tabs } = await serve(PAGES)
    let live = [...tabs]
    const first = await leaderOf(live)
    expect(first).toBe(tabs[0])
    expect(connections).toMatchObject({ total: 1, open: 1 })

    const stream = publishNumbered(hub.hub, STREAM, { to: EVENTS })
    const kills: string[] = []
    const kill = async (tab: Tab, how: 'close' | 'crash') => {
      const before = await tab.call('current')
      // What it saw until then was already in order and once.
      expect(tally(before.data, before.data.length)).toMatchObject({ duplicates: 0, inOrder: true })
      live = live.filter((other) => other !== tab)
      kills.push(`${how} ${before.role} at ${before.data.length}`)
      if (how === 'close') await tab.page.close()
      else await tab.crash()
    }

    await stream.reached(80)
    await kill(first, 'close')
    const second = await leaderOf(live)
    await stream.reached(160)
    await kill(second, 'crash')
    const third = await leaderOf(live)
    await stream.reached(240)
    await kill(live.find((tab) => tab !== third) as Tab, 'crash')
    await stream.done

    const last = await allSaw(live, EVENTS)
    const tallies = last.map((view) => tally(view.data, EVENTS))
    console.log(
      `tabs in Chromium: ${PAGES} pages, ${kills.length} kills (${kills.join('; ')}), ` +
        `${EVENTS} events, survivors ${live.length}: duplicates ${tallies.map((t) => t.duplicates).join('/')}, ` +
        `losses ${tallies.map((t) => t.losses).join('/')}; hub SSE connections ${connections.total}, ` +
        `at most ${connections.peak} at once`,
    )
    for (const view of last) expect(view.data).toEqual(numbers(1, EVENTS))
    expect(last.map((view) => view.role).sort()).toEqual(['follower', 'leader'])
    // One connection for each leader: the first and the two that took over.
    expect(connections.total).toBe(3)
    // A handover may overlap the old leader's connection while Chromium drains it.
    expect(connections.peak).toBeLessThanOrEqual(2)
    await until(() => connections.open === 1, 'the old leaders’ connections to go', {
      timeoutMs: BROWSER_DRAIN_MS,
      detail: () => `${connections.open} open`,
    })
  }, 60_000)

  it('a frozen leader steps down: another tab leads, and the frozen one catches up once it runs', async () => {
    const EVENTS = 100
    const { hub, connections, tabs } = await serve(3)
    const [frozen, ...running] = tabs as [Tab, Tab, Tab]
    expect(await leaderOf(tabs)).toBe(frozen)
    const stream = publishNumbered(hub.hub, STREAM, { to: EVENTS })
    await stream.reached(30)
    const cdp = await frozen.page.context().newCDPSession(frozen.page)
    // What Chromium does to a page it freezes: the freeze event, then the freeze itself,
    // which over CDP stops the page's timers (relayed messages still reach it).
    await frozen.call('lifecycle', 'freeze')
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
    const next = await leaderOf(running)
    await stream.reached(70)
    await cdp.send('Page.setWebLifecycleState', { state: 'active' })
    await frozen.call('lifecycle', 'resume')
    await stream.done
    const last = await allSaw(tabs, EVENTS)
    for (const view of last) expect(view.data).toEqual(numbers(1, EVENTS))
    const [thawed] = last as [TabView]
    expect(thawed).toMatchObject({ froze: true, role: 'follower', roles: ['leader', 'follower'] })
    expect((await next.call('current')).role).toBe('leader')
    expect(connections.total).toBe(2)
    console.log(
      `tabs in Chromium, freeze: 3 pages, the leader frozen at 30 and thawed at 70 of ${EVENTS} ` +
        `events: every tab saw all once, in order; hub SSE connections ${connections.total}, ` +
        `at most ${connections.peak} at once`,
    )
  }, 60_000)
})
