import { LifelineError } from '@lifeline/core'

/**
 * The members of a WHATWG `WebSocket` the adapter uses. The browser's, Node's global
 * (undici), `ws`'s and React Native's all fit. Handlers are typed loosely so each of
 * those fits; the adapter reads only `data`, `code`, `reason` and `error` from events.
 */
export interface WebSocketLike {
  readonly readyState: number
  onopen: ((event: never) => void) | null
  onmessage: ((event: never) => void) | null
  onclose: ((event: never) => void) | null
  onerror: ((event: never) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

/**
 * Options the adapter passes as the constructor's third argument. `ws` and React Native
 * honour `headers`; `ws` also honours `maxPayload`. The WHATWG constructor ignores it.
 */
export interface WebSocketInit {
  headers?: Record<string, string>
  maxPayload?: number
}

/**
 * A `WebSocket` constructor: the global one, `ws`'s, React Native's, or a test double.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws'
 * const transport = websocket({ WebSocket })
 * ```
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  init?: WebSocketInit,
) => WebSocketLike

/** `ws`'s WebSocket is a Node EventEmitter: it reports an HTTP refusal of the upgrade. */
export interface EmitterSocket extends WebSocketLike {
  on(event: 'unexpected-response', listener: (request: unknown, response: Response) => void): void
  off(event: 'unexpected-response', listener: (request: unknown, response: Response) => void): void
}

interface Response {
  statusCode?: number
}

/** Whether the socket is `ws`'s, which alone can tell us the status of a refused upgrade. */
export function isEmitterSocket(socket: WebSocketLike): socket is EmitterSocket {
  const candidate = socket as Partial<EmitterSocket>
  return typeof candidate.on === 'function' && typeof candidate.off === 'function'
}

/** The WebSocket readyState values (WHATWG WebSockets §3.1). */
export const CONNECTING = 0
export const OPEN = 1

let wsModule: Promise<WebSocketConstructor> | undefined

/**
 * The constructor to use: the injected one, else the global `WebSocket`, else `ws` loaded
 * on demand in Node. Synchronous unless `ws` has to be loaded.
 */
export function resolveWebSocket(
  injected: WebSocketConstructor | undefined,
): WebSocketConstructor | Promise<WebSocketConstructor> {
  if (injected !== undefined) return injected
  if (typeof globalThis.WebSocket === 'function') return globalThis.WebSocket
  if (!isNode()) {
    return Promise.reject(
      new LifelineError(
        'invalid-option',
        'no WebSocket in this runtime: pass the WebSocket option of websocket()',
      ),
    )
  }
  wsModule ??= loadWs()
  return wsModule
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string'
}

async function loadWs(): Promise<WebSocketConstructor> {
  try {
    const module = await importWs('ws')
    const WebSocket = module.WebSocket ?? module.default
    if (WebSocket === undefined) throw new TypeError('ws exports no WebSocket')
    return WebSocket
  } catch (cause) {
    wsModule = undefined
    throw new LifelineError(
      'invalid-option',
      'no global WebSocket in this Node version: install ws (npm install ws) or pass the WebSocket option',
      { cause },
    )
  }
}

/** What `ws`'s ESM wrapper exports (named and default). */
interface WsModule {
  WebSocket?: WebSocketConstructor
  default?: WebSocketConstructor
}

/**
 * `import()` of a specifier that is not a literal, so bundlers do not follow it: a browser
 * bundle never contains `ws` (an optional peer dependency, for Node only). A parameter
 * rather than a constant, because minifiers inline constants back into the call.
 */
function importWs(specifier: string): Promise<WsModule> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)
}
