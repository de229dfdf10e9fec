import type http from 'node:http'
import { createHub, type Hub, memoryLog } from '@lifeline/server'
import {
  type BrowserHarness,
  type BrowserPage,
  launchBrowser,
} from '@lifeline/testkit/browser/harness'
import { numbers, publishNumbered } from '@lifeline/testkit/servers/numbered-publisher'
import { until } from '@lifeline/testkit/wait'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ReloadConfig, Report } from './reload-page'

type ReloadPage = typeof import('./reload-page')

const entry = new URL('./reload-page.ts', import.meta.url)
const STREAM = 'reload'
const KEY = 'lifeline:reload'

let browser: BrowserHarness
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

/** The page, served same-origin with the hub (SSE and WebSocket on /events). */
interface Served {
  app: BrowserPage<ReloadPage>
  hub: Hub
  /** Every report of every load of the page, in the order the page wrote them. */
  record(): Promise<Report[]>
  /** Resolves once load `load` reported `count` events. */
  reported(load: number, count: number): Promise<void>
}

let served: Served | undefined
afterEach(async () => {
  await served?.app.close()
  await served?.hub.close({ timeout: 500 })
  served = undefined
})

async function serve(): Promise<Served> {
  // One epoch for the whole run: the stale point of another epoch is then known to be one.
  const hub = createHub({ retry: 50, log: memoryLog({ epoch: 'now' }) })
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url?.startsWith('/events')) hub.sse(req, res, { stream: STREAM })
    else res.writeHead(404).end()
  }
  const app = await browser.open<ReloadPage>({ entry, handler })
  hub.attach(app.server, { path: '/events', stream: STREAM })
  const record = () => app.call('record')
  let last: Report[] = []
  const run: Served = {
    app,
    hub,
    record,
    async reported(load, count) {
      await until(
        async () => {
          last = await record()
          return eventsOf(last, load).length >= count
        },
        `load ${load} to report ${count} events`,
        {
          pollMs: 20,
          timeoutMs: 15_000,
          detail: () => `load ${load} reported ${eventsOf(last, load).length}`,
        },
      )
    },
  }
  served = run
  return run
}

const eventsOf = (reports: Report[], load?: number) =>
  reports.filter(
    (report): report is Report & { kind: 'event' } =>
      report.kind === 'event' && (load === undefined || report.load === load),
  )
const dataOf = (reports: Report[], load?: number) =>
  eventsOf(reports, load).map((report) => report.data)
const idsOf = (reports: Report[], load?: number) =>
  eventsOf(reports, load).map((report) => report.id)
const gapsIn = (reports: Report[]) => reports.filter((report) => report.kind === 'gap').length

/** Ends the stream (the close event, in the log): resolves with what the page shows then. */
async function endAndRead({ app, hub }: Served) {
  const end = await hub.end(STREAM)
  return { end, view: await app.call('reached', 'closed') }
}

/** How {@link reloadMidStream} runs. */
interface MidStream {
  /** Events published, with data 1…to, `everyMs` apart. */
  to: number
  everyMs: number
  /** The reload begins once the first load rendered this many. */
  reloadAt: number
  /**
   * Before this event the publisher waits for the reloaded page's client if it has not
   * started yet, so the events after it always reach that client live; at these paces the
   * reload is done long before (the time held is printed).
   */
  holdAt: number
}

/**
 * Starts load 1 with `config`, publishes at a steady pace that goes on through the reload,
 * reloads mid-stream, starts load 2 with the same config, then ends the stream.
 */
async function reloadMidStream(run: Served, config: Omit<ReloadConfig, 'load'>, plan: MidStream) {
  await run.app.call('start', { ...config, load: 1 })
  await run.app.call('reached', 'open')
  let restarted = () => {}
  const started = new Promise<void>((resolve) => {
    restarted = resolve
  })
  const stream = publishNumbered(run.hub, STREAM, {
    to: plan.to,
    everyMs: plan.everyMs,
    hold: (n) => (n === plan.holdAt ? started : undefined),
  })
  await run.reported(1, plan.reloadAt)
  const atReload = stream.published
  const begin = Date.now()
  await run.app.reload()
  await run.app.call('start', { ...config, load: 2 })
  restarted()
  const startedAfter = Date.now() - begin
  const atStart = stream.published
  await stream.done
  const { view } = await endAndRead(run)
  const record = await run.record()
  const [first] = eventsOf(record, 2)
  const figures =
    `${plan.to} events every ${plan.everyMs} ms; the reload began with event ${atReload} ` +
    `published, the page rendered ${dataOf(record, 1).length} before it went; the reloaded ` +
    `page's client started ${startedAfter} ms after the reload began, with event ${atStart} ` +
    `published; its first event (${first?.data}) came ${(first?.at ?? Number.NaN) - begin} ms ` +
    `after the reload began; publisher held ${Math.round(stream.heldMs)} ms`
  return { stream, atReload, view, record, figures }
}

describe.each(['sse-fetch', 'websocket'])('a real reload in Chromium over %s', (adapter) => {
  it('persist: a reload at rest resumes from the stored point: 1…N once, in order, no gap', async () => {
    const run = await serve()
    const config = { adapter, url: run.app.url('/events'), persistKey: KEY }
    await run.app.call('start', { ...config, load: 1 })
    await run.app.call('reached', 'open')
    const before = publishNumbered(run.hub, STREAM, { to: 40, everyMs: 10 })
    await before.done
    await run.reported(1, 40)
    const begin = Date.now()
    await run.app.reload()
    // Published after the unload and before the reloaded page's client exists: only the
    // stored point can bring them.
    const away = publishNumbered(run.hub, STREAM, { from: 41, to: 60, everyMs: 0 })
    await away.done
    await run.app.call('start', { ...config, load: 2 })
    await run.app.call('reached', 'open')
    const live = publishNumbered(run.hub, STREAM, { from: 61, to: 80, everyMs: 10 })
    await live.done
    const { view } = await endAndRead(run)
    const record = await run.record()
    const caughtUp = eventsOf(record, 2).find((report) => report.data === '60')
    console.log(
      `reload at rest over ${adapter}: 80 events, reload after event 40, 20 published while ` +
        `away, the last of them rendered by the reloaded page ${(caughtUp?.at ?? Number.NaN) - begin} ms ` +
        'after the reload began',
    )
    expect(dataOf(record, 1)).toEqual(numbers(1, 40))
    expect(dataOf(record, 2)).toEqual(numbers(41, 80))
    expect(view.rendered).toEqual(numbers(41, 80))
    expect(idsOf(record)).toEqual([...before.ids, ...away.ids, ...live.ids])
    expect(gapsIn(record)).toBe(0)
  }, 30_000)

  it('without persist the same reload starts live: what was published while away is lost', async () => {
    const run = await serve()
    const config = { adapter, url: run.app.url('/events') }
    await run.app.call('start', { ...config, load: 1 })
    await run.app.call('reached', 'open')
    await publishNumbered(run.hub, STREAM, { to: 40, everyMs: 10 }).done
    await run.reported(1, 40)
    await run.app.reload()
    await publishNumbered(run.hub, STREAM, { from: 41, to: 60, everyMs: 0 }).done
    await run.app.call('start', { ...config, load: 2 })
    await run.app.call('reached', 'open')
    await publishNumbered(run.hub, STREAM, { from: 61, to: 70, everyMs: 10 }).done
    // The control of the test above: the scenario does tell a resume from a fresh start.
    const { view } = await endAndRead(run)
    expect(view.rendered).toEqual(numbers(61, 70))
    expect(dataOf(await run.record())).toEqual([...numbers(1, 40), ...numbers(61, 70)])
  }, 30_000)

  it('persist: a reload while events are still published resumes where the page left off', async () => {
    const run = await serve()
    const TOTAL = 200
    const { stream, atReload, view, record, figures } = await reloadMidStream(
      run,
      { adapter, url: run.app.url('/events'), persistKey: KEY },
      { to: TOTAL, everyMs: 10, reloadAt: 60, holdAt: 150 },
    )
    console.log(`reload while publishing over ${adapter}: ${figures}`)
    const before = dataOf(record, 1)
    expect(atReload).toBeLessThan(TOTAL)
    expect([...before, ...dataOf(record, 2)]).toEqual(numbers(1, TOTAL))
    expect(view.rendered).toEqual(numbers(before.length + 1, TOTAL))
    expect(idsOf(record)).toEqual(stream.ids)
    expect(gapsIn(record)).toBe(0)
  }, 30_000)

  it("from: 'start': the reloaded page alone renders the whole answer once, in order", async () => {
    const run = await serve()
    const TOTAL = 60
    // An answer of 60 tokens over about 3 s, no persist; the reload lands a third of the way in.
    const { stream, atReload, view, record, figures } = await reloadMidStream(
      run,
      { adapter, url: run.app.url('/events'), from: 'start' },
      { to: TOTAL, everyMs: 50, reloadAt: 20, holdAt: 45 },
    )
    console.log(`from start over ${adapter}: ${figures}`)
    const before = dataOf(record, 1)
    expect(atReload).toBeLessThan(TOTAL)
    expect(before).toEqual(numbers(1, before.length))
    expect(view.rendered).toEqual(numbers(1, TOTAL))
    expect(idsOf(record, 2)).toEqual(stream.ids)
    expect(gapsIn(record)).toBe(0)
    expect(view.gaps).toBe(0)
  }, 30_000)

  it('persist: a stale stored point of another epoch takes the reset path: one gap, nothing twice, the point replaced', async () => {
    const run = await serve()
    // Retained before the page loads: the reset replays this epoch's history from its first.
    const retained = publishNumbered(run.hub, STREAM, { to: 5, everyMs: 0 })
    await retained.done
    await run.app.call('store', KEY, 'zzz-7')
    await run.app.reload()
    await run.app.call('start', { adapter, url: run.app.url('/events'), persistKey: KEY, load: 1 })
    await run.reported(1, 5)
    // The reset's new position, written within the 250 ms the store waits at most.
    let stored: string | null = null
    await until(
      async () => {
        stored = await run.app.call('stored', KEY)
        return stored === retained.ids.at(-1)
      },
      'the stored point to be replaced',
      { pollMs: 20, detail: () => `stored ${stored}` },
    )
    const live = publishNumbered(run.hub, STREAM, { from: 6, to: 20, everyMs: 10 })
    await live.done
    const { end, view } = await endAndRead(run)
    const record = await run.record()
    const storedAtEnd = await run.app.call('stored', KEY)
    console.log(
      `stale point over ${adapter}: 'zzz-7' stored, 5 retained + 15 live events, ` +
        `${gapsIn(record)} gap; stored point ${retained.ids.at(-1)} after the replay, ` +
        `${storedAtEnd} (the close event's) at the end`,
    )
    expect(record.map((report) => (report.kind === 'gap' ? 'gap' : report.data))).toEqual([
      'gap',
      ...numbers(1, 20),
    ])
    expect(idsOf(record)).toEqual([...retained.ids, ...live.ids])
    expect(view.gaps).toBe(1)
    expect(view.rendered).toEqual(numbers(1, 20))
    // Closed by the hub's end: the last point is the close event's, flushed by close().
    expect(storedAtEnd).toBe(end)
  }, 30_000)
})
