import { parseCloseData, RESET_EVENT } from './control-events'
import { createDuplicateWindow } from './duplicate-window'
import type { TimerHandle } from './environment'
import { LifelineError } from './errors'
import {
  createConnectionEmitter,
  createEventHandlers,
  type EventHandler,
  type WildcardHandler,
} from './event-handlers'
import { createEventIterator, type IteratorFeed } from './event-iterator'
import type { ConnectionEvents, ConnectionState, Diagnostics, StreamEvent } from './events'
import {
  type Action,
  type ConnectionReason,
  connectionStateOf,
  initialPolicyState,
  negotiate,
  type PolicyConfig,
  type PolicyState,
  type Signal,
} from './negotiator'
import { type ClientOptions, resolveOptions } from './options'
import type { Transport, TransportConnection, TransportEvent, TransportSink } from './transport'
import { createWatchdog, type Watchdog } from './watchdog'

/** The connection side of a client: state, resume point, decisions and counters. */
export interface Connection {
  readonly state: ConnectionState
  /** The name of the transport in use (or about to be). */
  readonly transport: string
  /** The resume point: the last id the stream set. */
  readonly lastEventId: string | undefined
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

interface Attempt {
  readonly index: number
  readonly transport: Transport
  /** An upgrade probe until it is promoted; then an ordinary attempt. */
  probe: boolean
  readonly controller: AbortController
  readonly watchdog: Watchdog
  connection: TransportConnection | undefined
  /** False once it closed or was abandoned: whatever it reports then is ignored. */
  live: boolean
  gotByte: boolean
  resumed: boolean
  positioned: boolean
  replayed: number
}

const FAILING_AFTER_SUCCESS = new Set<ConnectionReason['kind']>(['timeout', 'buffered', 'stall'])

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
  const random = config.environment.random
  const policyConfig: PolicyConfig = {
    strategy: config.strategy,
    backoff: config.backoff,
    transports: config.transports.length,
  }
  const closeEvent = config.strategy.closeEvent
  const timeouts = {
    connectTimeout: config.connectTimeout,
    firstByteTimeout: config.firstByteTimeout,
    heartbeatTimeout: config.heartbeatTimeout,
  }

  const connectionEmitter = createConnectionEmitter()
  const { report } = connectionEmitter
  const emitConnection = connectionEmitter.emit
  const handlers = createEventHandlers(report)
  const iterators = new Set<IteratorFeed>()
  const duplicates = createDuplicateWindow(config.duplicateWindow)
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

  let lastEventId = config.lastEventId
  let policy: PolicyState = { ...initialPolicyState, offline: !lifecycle.isOnline() }
  let current: Attempt | undefined
  let probe: Attempt | undefined
  let retryTimer: TimerHandle | undefined
  let upgradeTimer: TimerHandle | undefined
  const pending: Signal[] = []
  let dispatching = false
  const unsubscribeLifecycle = lifecycle.subscribe((signal) => dispatch({ kind: signal }))

  function emit(event: StreamEvent): void {
    handlers.emit(event)
    if (iterators.size > 0) for (const iterator of iterators) iterator.push(event)
  }

  function transportName(index: number): string {
    return config.transports[index]?.name ?? ''
  }

  // Signals raised while a decision is carried out wait their turn, so each decision sees
  // the state the previous one left.
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
    const from = connectionStateOf(before)
    const to = connectionStateOf(policy)
    if (from !== to) emitConnection('state', { from, to, reason: decision.reason })
    if (before.transport !== policy.transport) {
      diagnostics.switches++
      emitConnection('transport', {
        from: transportName(before.transport),
        to: transportName(policy.transport),
        reason: decision.reason,
      })
    }
    for (const action of decision.actions) perform(action)
  }

  function perform(action: Action): void {
    switch (action.kind) {
      case 'open':
        // Current before it starts: a transport may report (even close) from inside open().
        current = createAttempt(policy.transport, false)
        launch(current)
        return
      case 'abort':
        abandon(current)
        current = undefined
        return
      case 'wait':
        cancelRetry()
        retryTimer = clock.setTimeout(() => {
          retryTimer = undefined
          dispatch({ kind: 'timer' })
        }, action.ms)
        emitConnection('retry', { ms: action.ms })
        return
      case 'cancel-wait':
        cancelRetry()
        return
      case 'drop-resume-point':
        dropResumePoint(action.reason)
        return
      case 'schedule-upgrade':
        cancelUpgrade()
        upgradeTimer = clock.setTimeout(() => {
          upgradeTimer = undefined
          dispatch({ kind: 'upgrade-due' })
        }, action.ms)
        return
      case 'cancel-upgrade':
        cancelUpgrade()
        return
      case 'probe':
        abandon(probe)
        probe = createAttempt(action.transport, true)
        launch(probe)
        return
      case 'abort-probe':
        abandon(probe)
        probe = undefined
        return
      case 'promote-probe':
        abandon(current)
        current = probe
        if (current !== undefined) current.probe = false
        probe = undefined
        diagnostics.upgrades++
        return
      case 'stop':
        stop()
        return
    }
  }

  function cancelRetry(): void {
    if (retryTimer !== undefined) clock.clearTimeout(retryTimer)
    retryTimer = undefined
  }

  function cancelUpgrade(): void {
    if (upgradeTimer !== undefined) clock.clearTimeout(upgradeTimer)
    upgradeTimer = undefined
  }

  function abandon(attempt: Attempt | undefined): void {
    if (attempt === undefined || !attempt.live) return
    attempt.live = false
    attempt.watchdog.stop()
    attempt.controller.abort()
    attempt.connection?.close()
  }

  function stop(): void {
    abandon(current)
    abandon(probe)
    current = undefined
    probe = undefined
    cancelRetry()
    cancelUpgrade()
    unsubscribeLifecycle()
    for (const iterator of iterators) iterator.end()
    iterators.clear()
  }

  function dropResumePoint(reason: ConnectionReason): void {
    const dropped = lastEventId
    lastEventId = undefined
    duplicates.clear()
    if (current !== undefined) current.resumed = false
    diagnostics.gaps++
    emitConnection('gap', { lastEventId: dropped, reason })
  }

  function createAttempt(index: number, isProbe: boolean): Attempt {
    const attempt: Attempt = {
      index,
      transport: config.transports[index] as Transport,
      probe: isProbe,
      controller: new AbortController(),
      watchdog: createWatchdog(
        clock,
        timeouts,
        (verdict) => end(attempt, { kind: verdict }),
        () => diagnostics.wakes++,
      ),
      connection: undefined,
      live: true,
      gotByte: false,
      resumed: false,
      positioned: false,
      replayed: 0,
    }
    diagnostics.connects++
    return attempt
  }

  /** Resolves the headers, then opens the transport. */
  function launch(attempt: Attempt): void {
    const { transport, controller } = attempt
    const start = (headers: Headers) => {
      if (!attempt.live) return
      attempt.resumed = lastEventId !== undefined
      try {
        attempt.connection = transport.open(
          {
            url: new URL(config.url),
            headers,
            lastEventId,
            maxMessageBytes: config.maxMessageBytes,
            signal: controller.signal,
          },
          sinkFor(attempt),
        )
      } catch (error) {
        end(attempt, { kind: 'network', error })
      }
    }
    const headersFailed = (cause: unknown) => {
      if (!attempt.live) return
      report(new LifelineError('headers', 'the headers option failed', { cause }))
      end(attempt, { kind: 'network', error: cause })
    }
    try {
      const value = typeof config.headers === 'function' ? config.headers() : config.headers
      if (value instanceof Promise) value.then((init) => start(new Headers(init)), headersFailed)
      else start(new Headers(value))
    } catch (cause) {
      headersFailed(cause)
    }
  }

  function end(attempt: Attempt, reason: ConnectionReason): void {
    if (!attempt.live) return
    attempt.live = false
    attempt.watchdog.stop()
    attempt.controller.abort()
    const failed = !attempt.gotByte || FAILING_AFTER_SUCCESS.has(reason.kind)
    if (failed && reason.kind !== 'no-content') {
      diagnostics.failures[reason.kind] = (diagnostics.failures[reason.kind] ?? 0) + 1
    }
    if (attempt.probe) {
      if (attempt === probe) dispatch({ kind: 'probe-failed' })
      return
    }
    if (attempt !== current) return
    if (failed && reason.kind !== 'no-content') {
      report(
        new LifelineError('connection', `${attempt.transport.name}: ${describe(reason)}`, {
          // The transport's own reasons; the client's (timeout, stall, …) are in the message.
          reason:
            reason.kind === 'network' ||
            reason.kind === 'http' ||
            reason.kind === 'protocol' ||
            reason.kind === 'ended'
              ? reason
              : undefined,
          cause: reason.kind === 'network' ? reason.error : undefined,
        }),
      )
    }
    dispatch({
      kind: 'ended',
      reason,
      resumed: attempt.resumed,
      succeeded: attempt.gotByte,
      random: random(),
    })
  }

  function promoteIfProbe(attempt: Attempt): void {
    if (attempt.probe && attempt === probe) dispatch({ kind: 'probe-delivered' })
  }

  function moveResumePoint(id: string): void {
    // [spec] an empty id field resets the last event id buffer.
    if (id === '') lastEventId = undefined
    // An id already delivered (a replay overlapping what another pipe delivered) must not
    // move the resume point back.
    else if (!duplicates.has(id)) lastEventId = id
  }

  function deliver(attempt: Attempt, message: TransportEvent): void {
    const id = message.id
    if (id !== undefined) {
      if (id === '') lastEventId = undefined
      else if (duplicates.has(id)) {
        diagnostics.duplicates++
        return
      } else {
        duplicates.add(id)
        lastEventId = id
      }
    }
    if (attempt.resumed && !attempt.positioned) attempt.replayed++
    diagnostics.events++
    emit({
      type: message.type,
      data: message.data,
      id,
      lastEventId: lastEventId ?? '',
      transport: attempt.transport.name,
    })
  }

  function onControlClose(message: TransportEvent): void {
    if (message.id !== undefined) moveResumePoint(message.id)
    dispatch({ kind: 'close-event', ...parseCloseData(message.data), random: random() })
  }

  function sinkFor(attempt: Attempt): TransportSink {
    return {
      opened() {
        if (!attempt.live) return
        attempt.watchdog.accepted()
        if (!attempt.probe) dispatch({ kind: 'accepted' })
      },
      activity() {
        if (!attempt.live) return
        attempt.watchdog.activity()
        if (!attempt.gotByte) {
          attempt.gotByte = true
          if (!attempt.probe) dispatch({ kind: 'first-byte' })
        }
      },
      event(message) {
        if (!attempt.live) return
        const isReset = message.type === RESET_EVENT
        if (isReset || (closeEvent !== false && message.type === closeEvent)) {
          // A control event on an upgrade probe fails the probe: the old pipe stays.
          if (attempt.probe) {
            end(attempt, {
              kind: 'protocol',
              message: `control event '${message.type}' on an upgrade probe`,
            })
          } else if (isReset) {
            dispatch({ kind: 'reset-event' })
          } else {
            onControlClose(message)
          }
          return
        }
        promoteIfProbe(attempt)
        deliver(attempt, message)
      },
      id(id) {
        if (!attempt.live) return
        promoteIfProbe(attempt)
        moveResumePoint(id)
        if (attempt.resumed && !attempt.positioned) {
          attempt.positioned = true
          diagnostics.resumes++
          emitConnection('resumed', { replayed: attempt.replayed })
        }
      },
      retry(ms) {
        if (attempt.live && !attempt.probe) dispatch({ kind: 'retry-hint', ms })
      },
      closed(reason) {
        end(attempt, reason)
      },
    }
  }

  const connection: Connection = {
    get state() {
      return connectionStateOf(policy)
    },
    get transport() {
      return transportName(policy.transport)
    },
    get lastEventId() {
      return lastEventId
    },
    on: connectionEmitter.on,
    off: connectionEmitter.off,
    diagnostics: () => ({ ...diagnostics, failures: { ...diagnostics.failures } }),
  }

  const client: Client = {
    on: (type: string, handler: EventHandler | WildcardHandler) => handlers.on(type, handler),
    off: (type: string, handler: EventHandler | WildcardHandler) => handlers.off(type, handler),
    connection,
    connect: () => dispatch({ kind: 'connect' }),
    close: () => dispatch({ kind: 'close' }),
    [Symbol.asyncIterator]: () =>
      createEventIterator(
        (feed) => iterators.add(feed),
        (feed) => iterators.delete(feed),
        policy.phase === 'closed',
      ),
  }

  if (config.connect) dispatch({ kind: 'connect' })
  return client
}

function describe(reason: ConnectionReason): string {
  switch (reason.kind) {
    case 'http':
      return `HTTP ${reason.status}`
    case 'protocol':
      return `protocol error: ${reason.message}`
    case 'network':
      return reason.error instanceof Error
        ? `network error: ${reason.error.message}`
        : 'network error'
    default:
      return reason.kind
  }
}
