import type { Start } from './channel'
import type { ConnectionLimits, Place } from './connection-limits'
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
   * A place under `maxClients` and `maxClientsPerAddress` for a new connection, held from
   * admission (WebSocket: through the hello) until it is gone.
   */
  claim: ConnectionLimits['claim']
  /**
   * Registers a connection on `stream` and starts it at `start` (replay or reset, then
   * live); the subscriber releases `place` when it is gone. With `hold` (pipe `long-poll`)
   * it is one poll: it ends once it has given what there is, or after `hold` ms.
   */
  connect(
    stream: string,
    pipe: Pipe,
    outlet: Outlet,
    start: Start,
    place: Place,
    hold?: number,
  ): Subscriber
}
