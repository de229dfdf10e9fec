import { existsSync } from 'node:fs'
import http from 'node:http'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { type BrowserBundleOptions, bundleForBrowser } from '../bundle/browser-bundle'
import { within } from '../wait'
import { closeServer, listenOnLoopback } from '../wire/loopback'
import { createSocketTracker } from '../wire/socket-tracker'

/**
 * How long a connection the page let go may stay open. After an abort, Chromium may keep
 * reading an unfinished body for up to 5 s (16 KiB) to reuse the socket
 * (`HttpResponseBodyDrainer`); a stream that never ends goes when that drain gives up.
 */
export const BROWSER_DRAIN_MS = 8_000

/** Where the harness looks for Chromium: `LIFELINE_CHROMIUM`, else Debian's package. */
export const CHROMIUM_PATH = process.env.LIFELINE_CHROMIUM ?? '/usr/bin/chromium'

/** Flags that run headless Chromium in a container with no network beyond loopback. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
]

const PAGE_PATH = '/__lifeline/page.html'
const SCRIPT_PATH = '/__lifeline/page.js'

/** A module bundled for the page: its exports are what `BrowserPage.call` can run. */
export type PageModule = Record<string, unknown>

type PageFunction<M, K extends keyof M> = M[K] extends (...args: infer A) => infer R
  ? { args: A; result: Awaited<R> }
  : never

/** The page's JS heap after a forced garbage collection, in bytes. */
export interface HeapFigures {
  /** `Runtime.getHeapUsage().usedSize`: live objects. */
  usedSize: number
  /** `Runtime.getHeapUsage().totalSize`: the heap V8 has reserved. */
  totalSize: number
  /** `Performance.getMetrics()` `JSHeapUsedSize`, as DevTools shows it. */
  jsHeapUsedSize: number
}

/** What {@link BrowserHarness.open} serves. */
export interface OpenPageOptions {
  /** A TypeScript module to bundle for the page (`@lifeline/<pkg>` resolves to sources). */
  entry: string | URL
  /** How to bundle it: aliases (one React for another), defines (`process.env.NODE_ENV`). */
  bundle?: BrowserBundleOptions
  /** Serves every request that is not the page itself: the endpoint under test. */
  handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void
}

/** One page with its own same-origin Node server on 127.0.0.1. */
export interface BrowserPage<M extends PageModule> {
  readonly page: Page
  /** The Node server: attach a WebSocket endpoint to it, or count its connections. */
  readonly server: http.Server
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string
  /** Uncaught errors and `console.error` lines of the page, for failure messages. */
  readonly errors: string[]
  /** An absolute URL on the page's origin. */
  url(path: string): string
  /**
   * Destroys every connection the browser holds to the server, WebSockets included: a
   * server-side cut (a crash, a proxy restart). The server keeps listening.
   */
  cut(): void
  /**
   * Runs an export of the entry module in the page and resolves with its (serialisable)
   * result; rejects after `timeoutMs` (default 15 s) naming the call and the page's errors.
   */
  call<K extends keyof M & string>(
    name: K,
    ...args: PageFunction<M, K>['args']
  ): Promise<PageFunction<M, K>['result']>
  /** Same as `call`, with a bound of your own. */
  callWithin<K extends keyof M & string>(
    timeoutMs: number,
    name: K,
    ...args: PageFunction<M, K>['args']
  ): Promise<PageFunction<M, K>['result']>
  /** Forces a full GC in the page (CDP `HeapProfiler.collectGarbage`), then reads the heap. */
  heap(): Promise<HeapFigures>
  /**
   * Opens the page again in another tab of the same browser context: one browser profile,
   * so the tabs share storage, Web Locks and `BroadcastChannel`s, and the server. Closing a
   * tab closes it alone; closing the first page closes its tabs too.
   */
  openTab(): Promise<BrowserPage<M>>
  /**
   * Reloads the page as a user does (`pagehide`, unload, a fresh document on the same
   * origin and storage) and resolves once the entry module ran again; the page's memory is
   * gone, bindings from `page.exposeBinding` stay.
   */
  reload(): Promise<void>
  /**
   * Crashes the page's renderer (CDP `Page.crash`), as a tab that died: no unload, no
   * `pagehide`; resolves once Playwright saw the crash.
   */
  crash(): Promise<void>
  close(): Promise<void>
}

/** A Chromium shared by the tests of one file. */
export interface BrowserHarness {
  readonly browser: Browser
  /** Bundles `entry`, serves it beside `handler` and opens it in a fresh context. */
  open<M extends PageModule>(options: OpenPageOptions): Promise<BrowserPage<M>>
  /** Closes every page, server and the browser. */
  close(): Promise<void>
}

/**
 * Launches headless Chromium for one test file. Fails, never skips, when Chromium is
 * missing, with the command that installs it.
 *
 * @example
 * ```ts
 * let browser: BrowserHarness
 * beforeAll(async () => { browser = await launchBrowser() })
 * afterAll(() => browser.close())
 *
 * it('receives', async () => {
 *   const app = await browser.open<typeof import('./page')>({
 *     entry: new URL('./page.ts', import.meta.url),
 *     handler: (req, res) => hub.sse(req, res, { stream: 'test' }),
 *   })
 *   expect(await app.call('receive', app.url('/events'), 3)).toHaveLength(3)
 * })
 * ```
 */
export async function launchBrowser(): Promise<BrowserHarness> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with \`apt-get install chromium\` ` +
        '(or run `npm run test:all`, which installs it), or point LIFELINE_CHROMIUM at a Chromium binary.',
    )
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  const pages = new Set<BrowserPage<PageModule>>()
  return {
    browser,
    async open<M extends PageModule>(options: OpenPageOptions) {
      const opened = await openPage<M>(browser, options, () => pages.delete(opened))
      pages.add(opened)
      return opened
    },
    async close() {
      await Promise.all([...pages].map((page) => page.close()))
      await browser.close()
    },
  }
}

async function openPage<M extends PageModule>(
  browser: Browser,
  options: OpenPageOptions,
  onClose: () => void,
): Promise<BrowserPage<M>> {
  const script = await bundleForBrowser(options.entry, options.bundle)
  const server = http.createServer((req, res) => {
    const path = req.url?.split('?')[0]
    if (path === PAGE_PATH) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(
        // An empty icon: otherwise Chromium asks the handler under test for /favicon.ico.
        `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">` +
          `<script type="module">` +
          `import * as entry from '${SCRIPT_PATH}'; globalThis.__lifelinePage = entry</script>`,
      )
    } else if (path === SCRIPT_PATH) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
      res.end(script)
    } else if (options.handler !== undefined) options.handler(req, res)
    else res.writeHead(404).end()
  })
  const sockets = createSocketTracker()
  server.on('connection', sockets.track)
  const origin = `http://127.0.0.1:${await listenOnLoopback(server)}`

  let context: BrowserContext | undefined
  try {
    context = await browser.newContext()
    const ownContext = context
    return await openTab<M>(ownContext, { server, origin, sockets }, async () => {
      onClose()
      await ownContext.close()
      await closeServer(server)
    })
  } catch (error) {
    await context?.close()
    await closeServer(server)
    throw error
  }
}

/** Resolves once the page's entry module has run and `call` can reach its exports. */
async function entryRan(page: Page): Promise<void> {
  await page.waitForFunction(() => '__lifelinePage' in globalThis, undefined, { timeout: 10_000 })
}

/** What the tabs of one page share: its server, and the sockets the browser opened to it. */
interface PageServer {
  server: http.Server
  origin: string
  sockets: ReturnType<typeof createSocketTracker>
}

/** Opens the page in a new tab of `context`; `close` is what closing it does. */
async function openTab<M extends PageModule>(
  context: BrowserContext,
  served: PageServer,
  close: (page: Page) => Promise<void>,
): Promise<BrowserPage<M>> {
  const { server, origin, sockets } = served
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  await page.goto(origin + PAGE_PATH)
  await entryRan(page)
  const cdp = await context.newCDPSession(page)

  const callWithin = (timeoutMs: number, name: string, ...args: unknown[]) => {
    const evaluation = page.evaluate(
      ([fn, fnArgs]) => {
        const entry = (globalThis as unknown as { __lifelinePage: PageModule }).__lifelinePage
        const target = entry[fn]
        if (typeof target !== 'function') throw new Error(`the page exports no function ${fn}`)
        return target(...fnArgs)
      },
      [name, args] as const,
    )
    // The page may close first when the call times out; that rejection is expected.
    evaluation.catch(() => {})
    return within(evaluation, `page call ${name} to settle`, {
      timeoutMs,
      detail: () => (errors.length > 0 ? `page errors: ${errors.join(' | ')}` : 'no page errors'),
    })
  }

  let closing: Promise<void> | undefined
  const result: BrowserPage<M> = {
    page,
    server,
    origin,
    errors,
    url: (path) => new URL(path, origin).href,
    cut() {
      sockets.destroyAll()
    },
    call: ((name: string, ...args: unknown[]) =>
      callWithin(15_000, name, ...args)) as BrowserPage<M>['call'],
    callWithin: callWithin as BrowserPage<M>['callWithin'],
    async heap() {
      // Twice: the first collection can leave garbage that only a second one frees
      // (objects kept alive by finalisers or weak callbacks of the first).
      await cdp.send('HeapProfiler.collectGarbage')
      await cdp.send('HeapProfiler.collectGarbage')
      const usage = await cdp.send('Runtime.getHeapUsage')
      await cdp.send('Performance.enable')
      const { metrics } = await cdp.send('Performance.getMetrics')
      const jsHeapUsedSize = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN
      return { usedSize: usage.usedSize, totalSize: usage.totalSize, jsHeapUsedSize }
    },
    openTab: () => openTab<M>(context, served, (tab) => tab.close()),
    async reload() {
      await page.reload()
      await entryRan(page)
    },
    async crash() {
      const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()))
      // The renderer dies before it can answer: the command never settles as a success.
      cdp.send('Page.crash').catch(() => {})
      await within(crashed, 'the page to crash')
    },
    close() {
      closing ??= close(page)
      return closing
    },
  }
  return result
}
