import type { ConnectionEvents, ConnectionState, StreamEvent } from '../events'

/** Whether this client holds the shared connection, mirrors another's, or shares nothing. */
export type ShareRole = 'leader' | 'follower' | 'single'

/**
 * What a leader relays to the clients that follow it, and a follower receives: every
 * server event, every move of the resume point that is not an event's (`id`: an id-only
 * block, a close event's id; `undefined` when it was cleared), the connection events, and
 * a `snapshot` of the connection for a follower that just joined.
 */
export type ShareMessage =
  | { type: 'event'; payload: StreamEvent }
  | { type: 'id'; payload: string | undefined }
  | { type: 'snapshot'; payload: ShareSnapshot }
  | {
      [K in Exclude<keyof ConnectionEvents, 'error' | 'role'>]: {
        type: K
        payload: ConnectionEvents[K]
      }
    }[Exclude<keyof ConnectionEvents, 'error' | 'role'>]
  /** An error of the leader's connection, as plain data (errors do not cross a channel). */
  | { type: 'error'; payload: { code: string; message: string; reason: unknown } }

/** The leader's connection as a follower mirrors it. */
export interface ShareSnapshot {
  state: ConnectionState
  transport: string
  lastEventId: string | undefined
}

/** The client's side of a share: what the plug-in may ask of it. */
export interface ShareMember {
  /** The stream's URL (resolved): clients share only with clients of the same URL. */
  readonly url: string
  /** This client leads from now on: it connects, resuming from the point relayed last. */
  lead(): void
  /** This client follows from now on: it lets its own connection go and mirrors the leader. */
  follow(): void
  /** A message the leader relayed. */
  receive(message: ShareMessage): void
  /** The connection as a follower must mirror it (what a leader answers a newcomer). */
  snapshot(): ShareSnapshot
}

/** The plug-in's side, once a client joined. */
export interface ShareGroup {
  /** Relays what the leading client's connection did to the followers. */
  relay(message: ShareMessage): void
  /** The client closed: it leaves, and a leader hands the connection over to another. */
  leave(): void
}

/**
 * The `share` option: a plug-in that lets clients share one connection, such as `tabs()`
 * from `@lifeline/tabs` (one connection per browser). A client joins on its first
 * `connect()` and leaves on `close()`; `join` returns `undefined` where it cannot share
 * (the client then connects on its own).
 * Core imports no plug-in: the option is this interface.
 *
 * @example
 * ```ts
 * import { tabs } from '@lifeline/tabs'
 * createClient({ url: '/events', transports: [sseFetch()], share: tabs() })
 * ```
 */
export interface ShareOption {
  join(member: ShareMember): ShareGroup | undefined
}
