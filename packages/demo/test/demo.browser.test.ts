import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type BrowserHarness, launchBrowser } from '@lifeline/testkit/browser/harness'
import { until } from '@lifeline/testkit/wait'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Demo, startDemo } from '../src/index'
import type { DemoSnapshot } from '../src/page/main'

const artifacts = fileURLToPath(new URL('../.artifacts/', import.meta.url))

let browser: BrowserHarness
let demo: Demo
beforeAll(async () => {
  browser = await launchBrowser()
  demo = await startDemo({ port: 0 })
})
afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

function snapshot(page: Page): Promise<DemoSnapshot> {
  return page.evaluate(() =>
    (
      globalThis as unknown as { lifelineDemo: { snapshot(): DemoSnapshot } }
    ).lifelineDemo.snapshot(),
  )
}

/** Resolves with the page's snapshot once `predicate` takes it, polled every 100 ms. */
async function waitFor(
  page: Page,
  what: string,
  predicate: (s: DemoSnapshot) => boolean,
  timeoutMs = 15_000,
): Promise<DemoSnapshot> {
  let last: DemoSnapshot | undefined
  return until(
    async () => {
      last = await snapshot(page)
      return predicate(last) && last
    },
    `the demo page to show ${what}`,
    { pollMs: 100, timeoutMs, detail: () => `last ${JSON.stringify(last)}` },
  )
}

/** Records every layout shift of the page, from its first frame (Layout Instability API). */
async function watchLayoutShifts(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const shifts: number[] = []
    ;(globalThis as unknown as { layoutShifts: number[] }).layoutShifts = shifts
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        shifts.push((entry as unknown as { value: number }).value)
    }).observe({ type: 'layout-shift', buffered: true })
  })
}

const layoutShifts = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { layoutShifts: number[] }).layoutShifts)

function expectContiguous(ticks: number[]): void {
  const first = ticks[0] ?? 0
  expect(ticks).toEqual(ticks.map((_, i) => first + i))
}

it('falls back to WebSocket when SSE is blocked, upgrades back, and loses or repeats no tick', async () => {
  const context = await browser.browser.newContext({ viewport: { width: 1280, height: 900 } })
  await watchLayoutShifts(context)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(demo.url)
  const start = await waitFor(
    page,
    'ticks over sse-fetch',
    (s) => s.state === 'open' && s.ticks.length >= 3,
  )
  expect(start.transport).toBe('sse-fetch')

  await page.getByRole('button', { name: 'Block SSE' }).click()
  const switched = await waitFor(page, 'switch to websocket', (s) => s.transport === 'websocket')
  await expect
    .poll(() => page.locator('#upgrade-note').textContent())
    .toMatch(/^on websocket(, not yet stable| · next sse-fetch probe in ≈[0-8] s)/)
  const onWebSocket = await waitFor(
    page,
    'ticks over websocket',
    (s) => s.state === 'open' && s.ticks.length >= switched.ticks.length + 5,
  )
  expect(await page.locator('#transport').textContent()).toBe('websocket')

  await page.getByRole('button', { name: 'Unblock SSE' }).click()
  // upgradeAfter is 8 s in the demo: the probe runs after that much stable service.
  const upgraded = await waitFor(
    page,
    'upgrade back to sse-fetch',
    (s) => s.transport === 'sse-fetch' && s.ticks.length >= onWebSocket.ticks.length + 3,
    20_000,
  )
  expectContiguous(upgraded.ticks)
  expect(upgraded.ok).toBe(true)
  expect(upgraded.counters.gaps).toBe(0)
  expect(upgraded.counters.events).toBe(upgraded.ticks.length)
  expect(await page.locator('#contiguity').textContent()).toBe('yes')
  expect(await page.locator('#contiguity').getAttribute('data-state')).toBe('ok')
  // The timeline drew both lanes, the two faults across every lane and both switches.
  expect(upgraded.lanesUsed).toEqual(expect.arrayContaining(['sse-fetch', 'websocket']))
  expect(upgraded.marks.filter((m) => m === 'fault@*')).toHaveLength(2)
  expect(upgraded.marks).toEqual(expect.arrayContaining(['switch@websocket', 'switch@sse-fetch']))
  await expect
    .poll(() => page.locator('#upgrade-note').textContent())
    .toBe('on sse-fetch, the preferred transport')
  // Values, rows and the drawing changed all along; nothing on the page moved.
  expect(await layoutShifts(page)).toEqual([])
  expect(errors).toEqual([])
  // Last: a full-page screenshot resizes the viewport, which is a layout shift of its own.
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: `${artifacts}demo-upgraded.png`, fullPage: true })
  await context.close()
}, 60_000)

it('recovers from a cut, a stall and the close event in order, and reports the restart as a gap', async () => {
  const context = await browser.browser.newContext()
  const page = await context.newPage()
  await page.goto(demo.url)
  let seen = await waitFor(page, 'ticks', (s) => s.state === 'open' && s.ticks.length >= 2)
  const after = async (button: string, what: string, done: (s: DemoSnapshot) => boolean) => {
    const before = seen.ticks.length
    await page.getByRole('button', { name: button }).click()
    seen = await waitFor(page, what, (s) => done(s) && s.ticks.length >= before + 3)
  }
  const log = async () => (await page.locator('#log').textContent()) ?? ''

  await after('Cut the stream', 'ticks after the cut', (s) => s.state === 'open')
  await after('Stall it', 'a stall noticed', () => true)
  expect(await log()).toContain('(stall)')
  // Ticks published during the 3 s stall came back by replay, and the feed says which.
  expect(seen.replayed).toBeGreaterThan(0)
  expect(await page.locator('#feed li.replayed').count()).toBeGreaterThan(0)
  await expect
    .poll(() => page.locator('#feed li.replayed').first().textContent())
    .toContain('↺ replayed')
  expect(seen.marks).toEqual(expect.arrayContaining(['drop@sse-fetch', 'resumed@sse-fetch']))
  await after('Send close event', 'a resume after the close event', () => true)
  expect(await log()).toContain('(server-close)')
  expect(seen.ok).toBe(true)
  expect(seen.counters.gaps).toBe(0)
  expectContiguous(seen.ticks)

  await after('Restart server (empty history)', 'a gap', (s) => s.counters.gaps === 1)
  // Ticks published between the crash and the reconnect may be lost, and the app was told.
  expect(seen.ok).toBe(true)
  expect(seen.counters.duplicates).toBe(0)
  expect(new Set(seen.ticks).size).toBe(seen.ticks.length)
  expect(seen.marks.some((m) => m.startsWith('gap@'))).toBe(true)
  // The indicator is green only if the gap skipped no tick; the skipped ones show beside it.
  const skipped = seen.ticks.some((n, i) => i > 0 && n !== (seen.ticks[i - 1] ?? 0) + 1)
  expect(seen.order).toBe(skipped ? 'gap' : 'ok')
  expect(await page.locator('#contiguity').getAttribute('data-state')).toBe(seen.order)
  await context.close()
}, 60_000)

it('a new strategy reconnects with a new client that resumes where the old one stopped', async () => {
  const context = await browser.browser.newContext()
  const page = await context.newPage()
  await page.goto(demo.url)
  const before = await waitFor(page, 'ticks', (s) => s.state === 'open' && s.ticks.length >= 2)
  await page.locator('#strategy').selectOption('none')
  const after = await waitFor(
    page,
    'ticks on the new client',
    (s) => s.state === 'open' && s.ticks.length >= before.ticks.length + 3,
  )
  expect(await page.locator('#log').textContent()).toContain('strategy → none')
  expectContiguous(after.ticks)
  expect(after.ok).toBe(true)
  await context.close()
})
