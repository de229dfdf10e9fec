import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createFaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { CONTROL_ACTIONS, type ControlAction, type Controls, createControls } from './controls'
import { createHubSlot } from './hub-slot'
import { bundlePage } from './page-bundle'
import { pageHtml } from './page-html'
import { startTicker } from './ticker'
import { DEMO_STREAM, DEMO_TIMINGS, EVENTS_PATH } from './timings'

/**
 * Options of {@link startDemo}.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ port: 8080 })
 * ```
 */
export interface DemoOptions {
  /** The page's port on 127.0.0.1; 0 (the default) lets the OS choose. */
  port?: number
}

/** A running demo. */
export interface Demo {
  /** The page: `http://127.0.0.1:<port>/`. */
  readonly url: string
  /** The event stream behind the fault proxy (SSE; WebSocket on the same path). */
  readonly streamUrl: string
  readonly controls: Controls
  /** Stops the ticker, closes the hub, the proxy and both servers; idempotent. */
  close(): Promise<void>
}

async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    // Event streams never end on their own: drop what is left so close() can finish.
    server.closeAllConnections()
  })
}

function readAction(path: string): ControlAction | undefined {
  const name = path.slice('/control/'.length)
  return CONTROL_ACTIONS.find((action) => action === name)
}

/**
 * Starts the demo: `@lifeline/server` with an in-memory log on a port of its own, the
 * fault proxy in front of it, a ticker publishing every 400 ms, and the page (with its
 * script bundled from the workspace sources) on `port`. Everything listens on 127.0.0.1.
 *
 * @example
 * ```ts
 * const demo = await startDemo()
 * console.log(demo.url)
 * await demo.controls.run('block-sse')
 * await demo.close()
 * ```
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const script = await bundlePage()
  const page = http.createServer()
  const pagePort = await listen(page, options.port ?? 0)
  const pageOrigin = `http://127.0.0.1:${pagePort}`

  const slot = createHubSlot(pageOrigin)
  const stream = http.createServer((req, res) => {
    if (new URL(req.url ?? '/', pageOrigin).pathname === EVENTS_PATH)
      slot.current.sse(req, res, { stream: DEMO_STREAM })
    else res.writeHead(404).end()
  })
  // One upgrade listener that always serves the current hub, since restarts replace it.
  stream.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', pageOrigin).pathname === EVENTS_PATH)
      slot.current.handleUpgrade(req, socket, head, { stream: DEMO_STREAM })
    else socket.destroy()
  })
  const streamPort = await listen(stream, 0)
  const proxy = await createFaultProxy({ upstream: { port: streamPort } })
  const controls = createControls(proxy, slot, pageOrigin)
  const ticker = startTicker((event) => slot.current.publish(DEMO_STREAM, event), DEMO_TIMINGS.tick)
  const streamUrl = `${proxy.url}${EVENTS_PATH}`
  const html = pageHtml({ streamUrl })

  page.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', pageOrigin).pathname
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
    } else if (req.method === 'GET' && path === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script)
    } else if (req.method === 'POST' && path.startsWith('/control/')) {
      const action = readAction(path)
      if (action === undefined) return void res.writeHead(404).end()
      controls.run(action).then(
        (state) =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state)),
        (error: unknown) => res.writeHead(500).end(String(error)),
      )
    } else res.writeHead(404).end()
  })

  let closing: Promise<void> | undefined
  return {
    url: `${pageOrigin}/`,
    streamUrl,
    controls,
    close() {
      closing ??= (async () => {
        ticker.stop()
        await slot.close()
        await proxy.close()
        await Promise.all([closeServer(stream), closeServer(page)])
      })()
      return closing
    },
  }
}
