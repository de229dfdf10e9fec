import { fileURLToPath } from 'node:url'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@lifeline/testkit/browser/harness'
import { chromium, type Page } from 'playwright-core'
import { startDemo } from './demo'

// `npm run screenshot`: drives the demo through a cut, a fallback, the upgrade back and a
// stall (whose ticks come back by replay) in Debian's Chromium, then writes docs/demo.png,
// the picture in the README.
const out = fileURLToPath(new URL('../../../docs/demo.png', import.meta.url))

interface Snapshot {
  state: string
  transport: string
  ticks: number[]
  replayed: number
}

async function until(page: Page, what: string, done: (s: Snapshot) => boolean): Promise<Snapshot> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const snapshot = await page.evaluate(() =>
      (globalThis as unknown as { lifelineDemo: { snapshot(): Snapshot } }).lifelineDemo.snapshot(),
    )
    if (done(snapshot)) return snapshot
    if (Date.now() > deadline) throw new Error(`screenshot: no ${what} within 30 s`)
    await page.waitForTimeout(100)
  }
}

const demo = await startDemo()
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } })
  await page.goto(demo.url)
  await until(page, 'ticks', (s) => s.state === 'open' && s.ticks.length >= 8)
  await page.getByRole('button', { name: 'Cut the stream' }).click()
  const cut = await until(page, 'a resume', (s) => s.state === 'open')
  await until(page, 'ticks after the cut', (s) => s.ticks.length >= cut.ticks.length + 6)
  await page.getByRole('button', { name: 'Block SSE' }).click()
  const moved = await until(
    page,
    'websocket',
    (s) => s.transport === 'websocket' && s.state === 'open',
  )
  await until(page, 'ticks on websocket', (s) => s.ticks.length >= moved.ticks.length + 6)
  await page.getByRole('button', { name: 'Unblock SSE' }).click()
  const back = await until(page, 'the upgrade', (s) => s.transport === 'sse-fetch')
  await until(page, 'ticks after the upgrade', (s) => s.ticks.length >= back.ticks.length + 5)
  await page.getByRole('button', { name: 'Stall it' }).click()
  const stalled = await until(page, 'a replay', (s) => s.replayed > back.replayed)
  await until(page, 'ticks after the replay', (s) => s.ticks.length >= stalled.ticks.length + 3)
  await page.screenshot({ path: out, fullPage: true })
  console.log(`wrote ${out}`)
} finally {
  await browser.close()
  await demo.close()
}
