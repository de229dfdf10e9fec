import type { Pipe, ResolvedHubOptions } from './options'
import type { Outlet, Subscriber } from './subscriber'

/** How the hub said goodbye, replayed to every connection that comes after `close()`. */
export interface Farewell {
  /** The `close` control event, with its data. */
  readonly chunk: Uint8Array
  /** WebSocket close code: 1012 (service restart) to reconnect, 1001 (going away) not to. */
  readonly code: 1001 | 1012
}

/** What the pipe modules (SSE on Node, SSE on fetch, WebSocket) need from their hub. */
export interface HubCore {
  readonly options: ResolvedHubOptions
  /** Set once `close()` was called. */
  readonly farewell: Farewell | undefined
  /**
   * Whether another connection fits under `maxClients`, counting `pending` connections
   * that are not subscribers yet (WebSocket upgrades still waiting for their hello).
   */
  hasRoom(pending?: number): boolean
  /** Registers a connection on `stream` and starts it (replay or reset, then live). */
  connect(stream: string, pipe: Pipe, outlet: Outlet, resumePoint: string | undefined): Subscriber
}
