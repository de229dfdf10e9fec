import { connectionError } from '../errors'
import type {
  ConnectionEvents,
  ConnectionReason,
  ConnectionState,
  Diagnostics,
  StreamEvent,
} from '../events'
import { negotiate } from '../policy/negotiator'
import {
  type Action,
  connectionStateOf,
  initialPolicyState,
  type PolicyState,
  type Signal,
} from '../policy/policy'
import { type Attempt, type AttemptHost, createAttempt } from './attempt'
import type { TimerHandle } from './environment'
import {
  createConnectionEmitter,
  createHandlers,
  type EventHandler,
  type WildcardHandler,
} from './event-handlers'
import { createEventIterator, type IteratorFeed } from './event-iterator'
import { type ClientOptions, resolveOptions } from './options'
import { createPersistence } from './persistence'
import { createResumePoint, type ResumePoint } from './resume'
import type { ShareMessage, ShareRole } from './share'
import { createSharing, type Sharing } from './sharing'

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

/** A Lifeline client: one logical event stream over whichever transport works. */
export interface Client extends AsyncIterable<StreamEvent> {
  /** Events of one type (`'message'` is the SSE default), or every event with `'*'`. */
  on(type: '*', handler: WildcardHandler): void
  on(type: string, handler: EventHandler): void
  off(type: '*', handler: WildcardHandler): void
  off(type: string, handler: EventHandler): void
  readonly connection: Connection
  /** Starts a client created with `connect: false`; otherwise does nothing. */
  connect(): void
  /** Final: state `closed`, no timer or socket remains, iteration ends. */
  close(): void
}

/**
 * Creates a client that keeps one server event stream alive: it reconnects with backoff,
 * resumes from the last event id, drops a resume point the server cannot serve, and falls
 * back to (and later upgrades from) another transport, delivering every event once.
 *
 * @example
 * ```ts
 * import { createClient } from '@lifeline/core'
 * import { sseFetch } from '@lifeline/sse-fetch'
 * import { websocket } from '@lifeline/websocket'
 *
 * const client = createClient({ url: '/events', transports: [sseFetch(), websocket()] })
 * client.on('price', (e) => render(JSON.parse(e.data)))
 * client.connection.on('gap', () => refetchEverything())
 * ```
 */
export function createClient(options: ClientOptions): Client {
  const config = resolveOptions(options)
  const { clock, lifecycle } = config.environment
  const policyConfig = {
    strategy: config.strategy,
    backoff: config.backoff,
    transports: config.transports.length,
  }
  const emitter = createConnectionEmitter()
  const handlers = createHandlers(emitter.report)
  const iterators = new Set<IteratorFeed>()
  const diagnostics: Diagnostics = {
    connects: 0,
    failures: {},
    switches: 0,
    upgrades: 0,
    events: 0,
    duplicates: 0,
    gaps: 0,
    resumes: 0,
    wakes: 0,
  }
  const persistence =
    config.persist &&
    createPersistence(
      config.persist,
      { clock, maxIdBytes: config.maxIdBytes },
      () => resume.lastEventId,
      emitter.report,
    )
  // [design] a stored point is used only when the lastEventId option gives none.
  const stored = config.lastEventId === undefined ? persistence?.read() : undefined
  const resume = createResumePoint(
    stored instanceof Promise ? config.lastEventId : (stored ?? config.lastEventId),
    config,
    () => persistence?.changed(),
  )
  // Read asynchronously: the first attempt waits for it.
  let ready: Promise<unknown> | undefined =
    stored instanceof Promise
      ? stored.then((id) => {
          ready = undefined
          if (id !== undefined && resume.lastEventId === undefined) resume.accept(id)
        })
      : undefined
  let policy: PolicyState = { ...initialPolicyState, offline: !lifecycle.isOnline() }
  let current: Attempt | undefined
  let probe: Attempt | undefined
  let retryTimer: TimerHandle | undefined
  let upgradeTimer: TimerHandle | undefined
  const pending: Signal[] = []
  let dispatching = false

  const name = (index: number) => config.transports[index]?.name ?? ''
  // A clock of the app's own need not take an undefined handle.
  const clear = (handle: TimerHandle | undefined) => {
    if (handle !== undefined) clock.clearTimeout(handle)
    return undefined
  }
  // The public state the app was last told: it follows the leader's while following.
  let shown: ConnectionState = connectionStateOf(policy)
  const emit = <K extends keyof ConnectionEvents>(type: K, event: ConnectionEvents[K]) => {
    if (type === 'state') shown = (event as ConnectionEvents['state']).to
    emitter.emit(type, event)
    if (sharing.role === 'leader' && type !== 'role')
      sharing.relay({ type, payload: event } as ShareMessage)
  }
  const gap = (lastEventId: string | undefined, reason: ConnectionReason) => {
    diagnostics.gaps++
    emit('gap', { lastEventId, reason })
  }
  const deliver = (event: StreamEvent) => {
    diagnostics.events++
    handlers.call(event.type, event)
    handlers.call('*', event.type, event)
    if (iterators.size > 0) for (const iterator of iterators) iterator.push(event)
    if (sharing.role === 'leader') sharing.relay({ type: 'event', payload: event })
  }
  const sharing = createSharing(config.share, {
    url: config.url.href,
    resume,
    ownState: () => connectionStateOf(policy),
    ownTransport: () => name(policy.transport),
    connect: () => dispatch({ kind: 'connect' }),
    standBy: () => dispatch({ kind: 'stand-by' }),
    deliver,
    gap,
    emit,
    report: emitter.report,
  })

  const host: AttemptHost = {
    options: config,
    resume,
    ready: () => ready,
    dispatch,
    emit: deliver,
    lost: (previous) =>
      gap(previous, {
        kind: 'protocol',
        message: `an event id exceeds maxIdBytes (${config.maxIdBytes})`,
      }),
    resumed(replayed) {
      diagnostics.resumes++
      emit('resumed', { replayed })
    },
    duplicate: () => void diagnostics.duplicates++,
    moved: () => {
      if (sharing.role === 'leader') sharing.relay({ type: 'id', payload: resume.lastEventId })
    },
    report: emitter.report,
    woke: () => void diagnostics.wakes++,
  }

  // Signals raised while a decision is carried out wait their turn, so each decision sees
  // the state the previous one left, and no transport callback re-enters the policy.
  function dispatch(signal: Signal): void {
    pending.push(signal)
    if (dispatching) return
    dispatching = true
    try {
      for (let next = pending.shift(); next !== undefined; next = pending.shift()) step(next)
    } finally {
      dispatching = false
    }
  }

  function step(signal: Signal): void {
    const before = policy
    const decision = negotiate(policyConfig, before, signal)
    policy = decision.state
    const { reason, failure, error } = decision
    if (failure !== undefined)
      diagnostics.failures[failure.kind] = (diagnostics.failures[failure.kind] ?? 0) + 1
    if (error !== undefined) {
      const reported = connectionError(error.code, name(before.transport), error.reason)
      emitter.report(reported)
      const { code, message } = reported
      if (sharing.role === 'leader')
        sharing.relay({ type: 'error', payload: { code, message, reason: error.reason } })
    }
    const to = sharing.state()
    if (to !== shown) emit('state', { from: shown, to, reason })
    if (before.transport !== policy.transport) {
      diagnostics.switches++
      emit('transport', { from: name(before.transport), to: name(policy.transport), reason })
    }
    for (const action of decision.actions) perform(action)
    release()
  }

  function attempt(index: number, probe: boolean): Attempt {
    diagnostics.connects++
    return createAttempt(host, index, probe)
  }

  function timer(ms: number, signal: Signal): TimerHandle {
    return clock.setTimeout(() => dispatch(signal), ms)
  }

  function perform(action: Action) {
    switch (action.kind) {
      case 'open':
        current?.abandon()
        // Current before it starts: a transport may report (even close) from inside open().
        current = attempt(policy.transport, false)
        return current.launch()
      case 'wait':
        clear(retryTimer)
        retryTimer = timer(action.ms, { kind: 'timer' })
        return emit('retry', { ms: action.ms })
      case 'drop-resume-point':
        current?.forgetResume()
        return gap(resume.drop(), action.reason)
      case 'schedule-upgrade':
        clear(upgradeTimer)
        upgradeTimer = timer(action.ms, { kind: 'upgrade-due' })
        return
      case 'probe':
        probe?.abandon()
        probe = attempt(action.transport, true)
        return probe.launch()
      case 'promote-probe':
        current?.abandon()
        current = probe
        current?.promote()
        probe = undefined
        diagnostics.upgrades++
        return
    }
  }

  /** Lets go of what the new state no longer has: the policy starts things, never stops them. */
  function release() {
    const { phase } = policy
    if (phase !== 'connecting' && phase !== 'open') {
      current?.abandon()
      current = undefined
    }
    if (policy.probing === undefined) {
      probe?.abandon()
      probe = undefined
    }
    if (phase !== 'waiting') retryTimer = clear(retryTimer)
    if (policy.upgrade !== 'scheduled') upgradeTimer = clear(upgradeTimer)
    if (phase === 'closed' && unsubscribeLifecycle !== undefined) {
      unsubscribeLifecycle()
      unsubscribeLifecycle = undefined
      persistence?.flush()
      for (const iterator of iterators) iterator.end()
      iterators.clear()
    }
  }

  let unsubscribeLifecycle: (() => void) | undefined = lifecycle.subscribe((signal) => {
    // The page may be gone for good: what the stream has reached must be in storage now.
    if (signal === 'pagehide') persistence?.flush()
    dispatch({ kind: signal })
  })

  const connection = new ConnectionView(sharing, resume, emitter.on, emitter.off, () => ({
    ...diagnostics,
    failures: { ...diagnostics.failures },
  }))

  const client: Client = {
    on: (type: string, handler: EventHandler | WildcardHandler) => handlers.on(type, handler),
    off: (type: string, handler: EventHandler | WildcardHandler) => handlers.off(type, handler),
    connection,
    connect() {
      // Closed is final: a closed client must not join a share either.
      if (policy.phase === 'closed') return
      sharing.join()
      // A follower connects only once it leads.
      if (sharing.role !== 'follower') dispatch({ kind: 'connect' })
    },
    close() {
      // A leader hands the connection over to another client of the share.
      sharing.leave()
      dispatch({ kind: 'close' })
    },
    [Symbol.asyncIterator]: () =>
      createEventIterator(
        (feed) => iterators.add(feed),
        (feed) => iterators.delete(feed),
        policy.phase === 'closed',
      ),
  }

  if (config.connect) client.connect()
  return client
}

/**
 * `client.connection`: its getters live on the prototype, because an object literal with
 * accessors is a slow, dictionary-backed object, several hundred bytes per client.
 */
class ConnectionView implements Connection {
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
