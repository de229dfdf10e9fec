import type { Pipe, ResolvedHubOptions } from './options'
import type { Outlet, Subscriber } from './subscriber'

/** How the hub said goodbye, replayed to every connection that comes after `close()`. */
export interface Farewell {
  /** The `close` control event, with its data. */
  readonly chunk: Uint8Array
  /** WebSocket close code: 1012 (service restart) to reconnect, 1001 (going away) not to. */
  readonly code: 1001 | 1012
}

/** What the pipe modules (SSE on Node, SSE on Web `Response`, WebSocket) need from their hub. */
export interface PipeContext {
  readonly options: ResolvedHubOptions
  /** Set once `close()` was called. */
  readonly farewell: Farewell | undefined
  /**
   * Whether another connection fits under `maxClients`, counting the subscribers and the
   * connections held with {@link PipeContext.hold} (WebSocket upgrades awaiting their hello).
   */
  hasRoom(): boolean
  /** Counts a connection that is not a subscriber yet toward `maxClients`; call the result once it is, or is gone. */
  hold(): () => void
  /** Registers a connection on `stream` and starts it (replay or reset, then live). */
  connect(stream: string, pipe: Pipe, outlet: Outlet, resumePoint: string | undefined): Subscriber
}
