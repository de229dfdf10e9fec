import { LifelineError, type LifelineErrorCode } from '../errors'
import type { ConnectionEvents, ConnectionReason, ConnectionState, StreamEvent } from '../events'
import type { ResumePoint } from './resume'
import type { ShareGroup, ShareMessage, ShareOption, ShareRole, ShareSnapshot } from './share'

/** What the sharing of one client needs from its shell. */
export interface SharingHost {
  readonly url: string
  readonly resume: ResumePoint
  /** The client's own connection state (a leader's or a single client's). */
  ownState(): ConnectionState
  ownTransport(): string
  /** Starts the client's own connection (it leads now). */
  connect(): void
  /** Lets the client's own connection go (it follows now). */
  standBy(): void
  /** Hands a relayed event to the app. */
  deliver(event: StreamEvent): void
  /** Tells the app that history was lost (and counts it). */
  gap(lastEventId: string | undefined, reason: ConnectionReason): void
  emit<K extends keyof ConnectionEvents>(type: K, event: ConnectionEvents[K]): void
  report(error: LifelineError): void
}

/** A client's part in a share: its role, what it mirrors while following, the relay. */
export interface Sharing {
  readonly role: ShareRole
  /** The public state: the leader's while following, else the client's own. */
  state(): ConnectionState
  transport(): string
  /** Relays to the followers while leading; nothing otherwise. */
  relay(message: ShareMessage): void
  /**
   * Joins the share, once per connect: a client created with `connect: false` must not win
   * an election it would hold without connecting, so the shell joins on `connect()`.
   */
  join(): void
  /** Leaves the share (on `close()`): the client shows its own state again. */
  leave(): void
}

/**
 * The sharing of one client under `option` (it stays `single` without one, or where the
 * plug-in cannot share). A follower starts no connection of its own: it mirrors the
 * leader's state and transport, takes each relayed id into its resume point (so it resumes
 * from there when it leads) and hands the relayed events to the app, dropping any it
 * already delivered.
 */
export function createSharing(option: ShareOption | undefined, host: SharingHost): Sharing {
  const { resume } = host
  let mirror: ShareSnapshot | undefined
  let group: ShareGroup | undefined
  let joined = false
  // A plug-in may elect this client inside join(): that is its first role, not a change.
  let joining = false
  let elected: ShareRole | undefined

  /** Tells the app what the mirror's change changed: the public state and transport. */
  const show = (from: ShareSnapshot | undefined) => {
    const state = sharing.state()
    const transport = sharing.transport()
    const was = from ?? { state: host.ownState(), transport: host.ownTransport() }
    if (was.state !== state) host.emit('state', { from: was.state, to: state })
    if (was.transport !== transport) host.emit('transport', { from: was.transport, to: transport })
  }

  const become = (to: ShareRole) => {
    if (joining) {
      elected = to
      return
    }
    const from = sharing.role
    if (from === to || group === undefined) return
    // A client that starts to follow shows what it showed until the leader's snapshot comes.
    mirror =
      to === 'follower'
        ? {
            state: sharing.state(),
            transport: sharing.transport(),
            lastEventId: resume.lastEventId,
          }
        : undefined
    sharing.role = to
    host.emit('role', { from, to })
    if (to === 'leader') host.connect()
    else host.standBy()
  }

  const snapshot = (next: ShareSnapshot) => {
    const was = mirror
    mirror = { ...next }
    const had = resume.lastEventId
    if (next.lastEventId === had) return show(was)
    // [design] the leader is past this client's own point (a reloaded tab with a stored
    // point): the events between them never reach this client, and the app must be told.
    const moved = resume.accept(next.lastEventId ?? '')
    if (had !== undefined && moved !== 'duplicate') host.gap(had, { kind: 'reset' })
    show(was)
  }

  const receive = (message: ShareMessage) => {
    if (sharing.role !== 'follower' || mirror === undefined) return
    switch (message.type) {
      case 'event': {
        const event = message.payload
        if (event.id === undefined || resume.accept(event.id) !== 'duplicate') host.deliver(event)
        return
      }
      case 'id':
        resume.accept(message.payload ?? '')
        return
      case 'snapshot':
        return snapshot(message.payload)
      case 'state':
        mirror.state = message.payload.to
        break
      case 'transport':
        mirror.transport = message.payload.to
        break
      case 'gap':
        resume.drop()
        return host.gap(message.payload.lastEventId, message.payload.reason)
      case 'error': {
        const { code, message: text, reason } = message.payload
        host.report(
          new LifelineError(code as LifelineErrorCode, text, {
            reason: reason as ConnectionReason,
          }),
        )
        return
      }
    }
    host.emit(message.type, message.payload as never)
  }

  const member = {
    url: host.url,
    lead: () => become('leader'),
    follow: () => become('follower'),
    receive,
    snapshot: (): ShareSnapshot => ({
      state: sharing.state(),
      transport: sharing.transport(),
      lastEventId: resume.lastEventId,
    }),
  }

  // `role` is a plain field (read on every event), changed only here.
  const sharing: { -readonly [K in keyof Sharing]: Sharing[K] } = {
    role: 'single',
    state: () => mirror?.state ?? host.ownState(),
    transport: () => mirror?.transport ?? host.ownTransport(),
    relay(message) {
      if (sharing.role === 'leader') group?.relay(message)
    },
    join() {
      if (option === undefined || joined) return
      joined = true
      // A member follows until elected; what the plug-in relays inside join() already counts.
      sharing.role = 'follower'
      mirror = { state: 'connecting', transport: host.ownTransport(), lastEventId: undefined }
      joining = true
      elected = undefined
      group = option.join(member)
      joining = false
      if (group === undefined || elected === 'leader') {
        sharing.role = group === undefined ? 'single' : 'leader'
        mirror = undefined
      }
      if (sharing.role !== 'single') host.emit('role', { from: 'single', to: sharing.role })
      if (sharing.role === 'follower') show(undefined)
    },
    leave() {
      group?.leave()
      group = undefined
      joined = false
      // The close that follows tells the app the client's own state: closed.
      mirror = undefined
      const from = sharing.role
      sharing.role = 'single'
      if (from !== 'single') host.emit('role', { from, to: 'single' })
    },
  }
  return sharing
}
