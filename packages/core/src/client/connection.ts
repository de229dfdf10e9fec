import type { ConnectionEvents, ConnectionState, Diagnostics } from '../events'
import type { ResumePoint } from './resume'
import type { ShareRole } from './share'
import type { Sharing } from './sharing'

/** The connection side of a client: state, resume point, decisions and counters. */
export interface Connection {
  readonly state: ConnectionState
  /** The name of the transport in use (or about to be). */
  readonly transport: string
  /** The resume point: the last id the stream set. */
  readonly lastEventId: string | undefined
  /**
   * With `share`: `'leader'` while this client holds the shared connection, `'follower'`
   * while it mirrors another's (until it wins the election); `'single'` without sharing.
   */
  readonly role: ShareRole
  on<K extends keyof ConnectionEvents>(type: K, handler: (event: ConnectionEvents[K]) => void): void
  off<K extends keyof ConnectionEvents>(
    type: K,
    handler: (event: ConnectionEvents[K]) => void,
  ): void
  /** A snapshot of the counters since the client was created. */
  diagnostics(): Diagnostics
}

/**
 * `client.connection`: its getters live on the prototype, because an object literal with
 * accessors is a slow, dictionary-backed object, several hundred bytes per client.
 */
export class ConnectionView implements Connection {
  readonly #sharing: Sharing
  readonly #resume: ResumePoint
  readonly on: Connection['on']
  readonly off: Connection['off']
  readonly diagnostics: Connection['diagnostics']

  constructor(
    sharing: Sharing,
    resume: ResumePoint,
    on: Connection['on'],
    off: Connection['off'],
    diagnostics: Connection['diagnostics'],
  ) {
    this.#sharing = sharing
    this.#resume = resume
    this.on = on
    this.off = off
    this.diagnostics = diagnostics
  }

  get state(): ConnectionState {
    return this.#sharing.state()
  }

  get transport(): string {
    return this.#sharing.transport()
  }

  get lastEventId(): string | undefined {
    return this.#resume.lastEventId
  }

  get role(): ShareRole {
    return this.#sharing.role
  }
}
