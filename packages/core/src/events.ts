import type { ShareRole } from './client/share'
import type { LifelineError } from './errors'
import type { CloseReason } from './transport/transport'

/**
 * Why the client changed state or transport: a transport's {@link CloseReason}, or a
 * decision of the client's own.
 */
export type ConnectionReason =
  | CloseReason
  /** Not accepted within `connectTimeout`. */
  | { kind: 'timeout' }
  /** No byte for `heartbeatTimeout`. */
  | { kind: 'stall' }
  /** Accepted, but no byte within `firstByteTimeout`: a buffering proxy. */
  | { kind: 'buffered' }
  /** The server's close control event. */
  | { kind: 'server-close' }
  /** The resume point was dropped (a `reset` control event or `resetAfter` failed resumes). */
  | { kind: 'reset' }
  /** An upgrade probe delivered, so the client moved back to the preferred transport. */
  | { kind: 'upgrade' }
  /** The browser went offline. */
  | { kind: 'offline' }
  /** The page was hidden into the back/forward cache. */
  | { kind: 'hidden' }
  /** `client.close()`. */
  | { kind: 'close' }

/** One server event as the app sees it. */
export interface StreamEvent {
  /** `'message'` unless the server named it. */
  type: string
  /** As the SSE spec builds it: data lines joined by `\n`. */
  data: string
  /** This event's own `id` field, if it had one. */
  id: string | undefined
  /** The spec's last event id buffer at dispatch (`''` if none yet). */
  lastEventId: string
  /** The name of the transport that delivered it. */
  transport: string
}

/** The public connection states. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

/** Counters that show whether recoveries worked. */
export interface Diagnostics {
  /** Attempts opened, upgrade probes included. */
  connects: number
  /** Failed attempts, by reason kind. */
  failures: Partial<Record<ConnectionReason['kind'], number>>
  /** Transport changes: fallbacks and upgrades. */
  switches: number
  /** Upgrade probes that delivered and took over. */
  upgrades: number
  /** Events delivered to the app. */
  events: number
  /** Events dropped because their id was already delivered. */
  duplicates: number
  /** Times the resume point was dropped (`gap`). */
  gaps: number
  /** Resumed connections whose replay completed (`resumed`). */
  resumes: number
  /** Wakes from sleep that made the client verify its connection. */
  wakes: number
}

/** The events of `client.connection`. */
export type ConnectionEvents = {
  state: { from: ConnectionState; to: ConnectionState; reason?: ConnectionReason | undefined }
  transport: { from: string; to: string; reason?: ConnectionReason | undefined }
  /**
   * History was lost: the app should refetch its state. `reason` is `{ kind: 'reset' }` for
   * the server's reset control event, or the failure that made `resetAfter` drop the point.
   */
  gap: { lastEventId: string | undefined; reason: ConnectionReason }
  /** A resume worked; `replayed` events came before the live ones. */
  resumed: { replayed: number }
  /** Waiting `ms` before the next attempt. */
  retry: { ms: number }
  error: LifelineError
  /** With `share`: this client started to lead (it holds the connection) or to follow. */
  role: { from: ShareRole; to: ShareRole }
}
