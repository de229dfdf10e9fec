import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { type CloseOptions, createHub, type Hub, type HubOptions } from '@lifeline/server'
import { afterEach } from 'vitest'
import { closeServer, listenOnLoopback } from '../wire/loopback'

/**
 * Options of {@link startHubServer}.
 *
 * @example
 * ```ts
 * const server = await startHubServer({ hubOptions: { heartbeat: 200 }, sse: 'fetch' })
 * ```
 */
export interface HubServerOptions {
  /** A hub to serve; default `createHub(hubOptions)`. */
  hub?: Hub
  /** Options of the hub created when `hub` is not given. */
  hubOptions?: HubOptions
  /** The one path serving both pipes. Default `/events`; other paths get 404. */
  path?: string
  /**
   * The stream a request reads. Default: the `stream` query parameter, else `'events'`, so
   * `${url}?stream=room-1` and `${wsUrl}?stream=room-1` pick a stream per test.
   */
  stream?: (req: IncomingMessage) => string
  /** Which SSE handler answers HTTP: `hub.sse` (default) or `hub.fetch` behind a bridge. */
  sse?: 'node' | 'fetch'
}

/** A running test server on 127.0.0.1 with SSE and WebSocket on the same path. */
export interface HubServer {
  /** `http://127.0.0.1:<port><path>`: the SSE endpoint. */
  url: string
  /** `ws://127.0.0.1:<port><path>`: the WebSocket endpoint (same path). */
  wsUrl: string
  /** `http://127.0.0.1:<port>`, what a same-origin browser sends as `Origin`. */
  origin: string
  hub: Hub
  server: Server
  /** Closes the hub (sending `close`), then the server and every socket; idempotent. */
  close(options?: CloseOptions): Promise<void>
}

const defaultStream = (req: IncomingMessage) =>
  new URL(req.url ?? '/', 'http://localhost').searchParams.get('stream') ?? 'events'

/** Serves `hub.fetch` on Node's http objects, the way a fetch-style runtime would. */
async function bridgeFetch(hub: Hub, req: IncomingMessage, res: ServerResponse, stream: string) {
  const abort = new AbortController()
  res.on('close', () => abort.abort())
  // A response queued behind another on a pipelining connection never closes when the
  // connection goes first; its request does (as hub.sse itself listens for).
  req.on('close', () => {
    if (req.socket.destroyed) abort.abort()
  })
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers))
    if (typeof value === 'string') headers.set(name, value)
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    signal: abort.signal,
  })
  const response = hub.fetch(request, { stream })
  res.writeHead(response.status, Object.fromEntries(response.headers))
  if (response.body === null) return void res.end()
  const reader = response.body.getReader()
  abort.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}))
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve))
    }
    res.end()
  } catch {
    res.destroy()
  }
}

/**
 * Starts a Node http server on 127.0.0.1 (port from the OS) serving a hub: `hub.sse` (or
 * `hub.fetch`) for HTTP and `hub.attach` for WebSocket upgrades, on one path.
 *
 * @example
 * ```ts
 * const { url, wsUrl, hub, close } = await startHubServer()
 * await hub.publish('events', { data: 'hi' })
 * await close()
 * ```
 */
export async function startHubServer(options: HubServerOptions = {}): Promise<HubServer> {
  const hub = options.hub ?? createHub(options.hubOptions)
  const path = options.path ?? '/events'
  const streamOf = options.stream ?? defaultStream
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path) {
      res.writeHead(404).end()
      return
    }
    const stream = streamOf(req)
    if (options.sse === 'fetch') void bridgeFetch(hub, req, res, stream)
    else hub.sse(req, res, { stream })
  })
  hub.attach(server, { path, stream: streamOf })
  const port = await listenOnLoopback(server)
  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}${path}`,
    wsUrl: `ws://127.0.0.1:${port}${path}`,
    origin: `http://127.0.0.1:${port}`,
    hub,
    server,
    close(closeOptions) {
      closing ??= (async () => {
        await hub.close(closeOptions)
        await closeServer(server)
      })()
      return closing
    },
  }
}

/**
 * A `startHubServer` whose servers are closed after each test (vitest's `afterEach`), for
 * test files that start several.
 *
 * @example
 * ```ts
 * const start = hubServersPerTest()
 * it('…', async () => {
 *   const server = await start({ hubOptions: { heartbeat: 50 } })
 * })
 * ```
 */
export function hubServersPerTest(): (options?: HubServerOptions) => Promise<HubServer> {
  const servers: HubServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  return async (options) => {
    const server = await startHubServer(options)
    servers.push(server)
    return server
  }
}
