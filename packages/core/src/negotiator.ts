import { type BackoffOptions, backoffDelay, closeEventDelay } from './backoff'
import type { ConnectionState } from './events'
import type { Strategy } from './strategy'
import type { CloseReason } from './transport'

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

/** Where the policy stands. The shell maps it to the public connection state. */
export type Phase = 'idle' | 'connecting' | 'open' | 'waiting' | 'suspended' | 'closed'

/** The negotiator's whole state: plain data, so every decision is a pure function of it. */
export interface PolicyState {
  phase: Phase
  /** Index into the client's transports of the one in use. */
  transport: number
  /** Whether any attempt has ended yet: the public state is `reconnecting` from then on. */
  attempted: boolean
  /** Failures in a row since the last success: the backoff step. */
  failures: number
  /** Failures counted toward `fallbackAfter` on the current transport. */
  fallbackFailures: number
  /** Evidence against the resume point, counted toward `resetAfter`. */
  resumeFailures: number
  /** Bit per transport that failed since the last success. */
  failedTransports: number
  /** A 401/403 already re-resolved the headers once in this run of failures. */
  authRetried: boolean
  /** The server's `retry:` hint: the backoff base. */
  retryBase: number | undefined
  /** The transport an upgrade probe runs on, if one does. */
  probing: number | undefined
  /**
   * The upgrade back to the first transport: `scheduled` while its timer runs, `due` when
   * it fired between two connections (a planned recycle) and waits for the next one.
   */
  upgrade: 'none' | 'scheduled' | 'due'
  offline: boolean
  hidden: boolean
}

/** What just happened, as the shell reports it. */
export type Signal =
  | { kind: 'connect' }
  | { kind: 'accepted' }
  | { kind: 'first-byte' }
  | {
      kind: 'ended'
      reason: ConnectionReason
      /** The attempt carried a resume point. */
      resumed: boolean
      /** The attempt had its first byte after acceptance. */
      succeeded: boolean
      /** A number in [0, 1) for the jitter. */
      random: number
    }
  | { kind: 'close-event'; reconnect: boolean; retry: number | undefined; random: number }
  | { kind: 'reset-event' }
  | { kind: 'retry-hint'; ms: number }
  | { kind: 'timer' }
  | { kind: 'offline' }
  | { kind: 'online' }
  | { kind: 'pagehide' }
  | { kind: 'pageshow' }
  | { kind: 'visible' }
  | { kind: 'upgrade-due' }
  | { kind: 'probe-delivered' }
  | { kind: 'probe-failed' }
  | { kind: 'close' }

/** What the shell must do, in order. */
export type Action =
  /** Open an attempt on `state.transport` (headers are resolved first). */
  | { kind: 'open' }
  /** Abandon the current attempt: abort it and ignore whatever it still reports. */
  | { kind: 'abort' }
  /** Wait `ms`, then signal `timer`. */
  | { kind: 'wait'; ms: number }
  | { kind: 'cancel-wait' }
  /** Forget the resume point and the duplicate window, and emit `gap`. */
  | { kind: 'drop-resume-point'; reason: ConnectionReason }
  /** After `ms` of stable service, signal `upgrade-due`. */
  | { kind: 'schedule-upgrade'; ms: number }
  | { kind: 'cancel-upgrade' }
  /** Open a second attempt on `transport` that replaces the current one once it delivers. */
  | { kind: 'probe'; transport: number }
  | { kind: 'abort-probe' }
  /** The probe delivered: it becomes the current attempt, the old one is abandoned. */
  | { kind: 'promote-probe' }
  /** Final: release everything. */
  | { kind: 'stop' }

/** The configuration the policy decides by. */
export interface PolicyConfig {
  strategy: Strategy
  backoff: BackoffOptions
  /** How many transports the client has, in preference order. */
  transports: number
}

/** A decision: the next state, what to do, and why (for the `state`/`transport` events). */
export interface Decision {
  state: PolicyState
  actions: Action[]
  reason?: ConnectionReason
}

/** The state of a client that has not connected yet. */
export const initialPolicyState: PolicyState = {
  phase: 'idle',
  transport: 0,
  attempted: false,
  failures: 0,
  fallbackFailures: 0,
  resumeFailures: 0,
  failedTransports: 0,
  authRetried: false,
  retryBase: undefined,
  probing: undefined,
  upgrade: 'none',
  offline: false,
  hidden: false,
}

/**
 * The public connection state of a policy state: `connecting` only for the first attempt,
 * `reconnecting` while waiting, retrying, offline or hidden.
 */
export function connectionStateOf(state: PolicyState): ConnectionState {
  switch (state.phase) {
    case 'connecting':
      return state.attempted ? 'reconnecting' : 'connecting'
    case 'waiting':
    case 'suspended':
      return 'reconnecting'
    default:
      return state.phase
  }
}

// Statuses that say "not now" or "not you" rather than "not that resume point".
const TRANSIENT_STATUSES = new Set([401, 403, 408, 429, 502, 503, 504])

const ALWAYS_FAILS = new Set<ConnectionReason['kind']>(['timeout', 'buffered', 'stall'])

/**
 * The negotiator: a pure function from the state and a signal to the next state and the
 * actions the shell performs. It owns no timer, socket or clock.
 */
export function negotiate(config: PolicyConfig, state: PolicyState, signal: Signal): Decision {
  if (state.phase === 'closed') return { state, actions: [] }
  switch (signal.kind) {
    case 'connect':
      if (state.phase !== 'idle') return { state, actions: [] }
      if (state.offline || state.hidden)
        return { state: { ...state, phase: 'suspended' }, actions: [] }
      return connectNow({ ...state })
    case 'accepted':
      return state.phase === 'connecting'
        ? { state: { ...state, phase: 'open' }, actions: [] }
        : { state, actions: [] }
    case 'first-byte':
      return onSuccess(config, state)
    case 'ended':
      return onEnded(config, state, signal)
    case 'close-event':
      return onCloseEvent(config, state, signal)
    case 'reset-event':
      return {
        state: { ...state, resumeFailures: 0 },
        actions: [{ kind: 'drop-resume-point', reason: { kind: 'reset' } }],
      }
    case 'retry-hint':
      return { state: { ...state, retryBase: signal.ms }, actions: [] }
    case 'timer':
      return state.phase === 'waiting' ? connectNow({ ...state }) : { state, actions: [] }
    case 'visible':
      // A page that becomes visible again retries now rather than at the end of a long wait.
      return state.phase === 'waiting'
        ? connectNow({ ...state }, [{ kind: 'cancel-wait' }])
        : { state, actions: [] }
    case 'offline':
      return suspend(state, { ...state, offline: true }, { kind: 'offline' })
    case 'pagehide':
      return suspend(state, { ...state, hidden: true }, { kind: 'hidden' })
    case 'online':
      return resumeFrom({ ...state, offline: false })
    case 'pageshow':
      return resumeFrom({ ...state, hidden: false })
    case 'upgrade-due':
      if (state.upgrade !== 'scheduled') return { state, actions: [] }
      if (state.phase !== 'open' || state.transport === 0 || state.probing !== undefined) {
        return { state: { ...state, upgrade: 'due' }, actions: [] }
      }
      return {
        state: { ...state, probing: 0, upgrade: 'none' },
        actions: [{ kind: 'probe', transport: 0 }],
      }
    case 'probe-delivered':
      if (state.probing === undefined) return { state, actions: [] }
      return {
        state: {
          ...state,
          transport: state.probing,
          probing: undefined,
          phase: 'open',
          upgrade: 'none',
        },
        actions: [{ kind: 'promote-probe' }],
        reason: { kind: 'upgrade' },
      }
    case 'probe-failed': {
      if (state.probing === undefined) return { state, actions: [] }
      const actions: Action[] = [{ kind: 'abort-probe' }]
      const next: PolicyState = { ...state, probing: undefined, upgrade: 'none' }
      if (config.strategy.upgradeAfter !== false && state.phase === 'open') {
        actions.push({ kind: 'schedule-upgrade', ms: config.strategy.upgradeAfter })
        next.upgrade = 'scheduled'
      }
      return { state: next, actions }
    }
    case 'close':
      return {
        state: { ...state, phase: 'closed', probing: undefined, upgrade: 'none' },
        actions: [...releaseAll(), { kind: 'stop' }],
        reason: { kind: 'close' },
      }
  }
}

function connectNow(state: PolicyState, before: Action[] = []): Decision {
  state.phase = 'connecting'
  return { state, actions: [...before, { kind: 'open' }] }
}

function releaseAll(): Action[] {
  return [
    { kind: 'abort' },
    { kind: 'abort-probe' },
    { kind: 'cancel-wait' },
    { kind: 'cancel-upgrade' },
  ]
}

function suspend(before: PolicyState, next: PolicyState, reason: ConnectionReason): Decision {
  if (before.phase === 'idle' || before.phase === 'suspended') return { state: next, actions: [] }
  next.phase = 'suspended'
  next.probing = undefined
  next.upgrade = 'none'
  next.attempted = true
  return { state: next, actions: releaseAll(), reason }
}

function resumeFrom(state: PolicyState): Decision {
  if (state.offline || state.hidden) return { state, actions: [] }
  // Back online (or back from the cache): connect now, and cut a pending wait short.
  if (state.phase === 'suspended') return connectNow(state)
  if (state.phase === 'waiting') return connectNow(state, [{ kind: 'cancel-wait' }])
  return { state, actions: [] }
}

function onSuccess(config: PolicyConfig, state: PolicyState): Decision {
  const next: PolicyState = {
    ...state,
    phase: 'open',
    failures: 0,
    fallbackFailures: 0,
    resumeFailures: 0,
    failedTransports: 0,
    authRetried: false,
  }
  const actions: Action[] = []
  if (
    state.transport !== 0 &&
    config.strategy.upgradeAfter !== false &&
    state.probing === undefined
  ) {
    // A timer already running keeps running: a recycle must not put the upgrade off.
    if (state.upgrade === 'none') {
      actions.push({ kind: 'schedule-upgrade', ms: config.strategy.upgradeAfter })
      next.upgrade = 'scheduled'
    } else if (state.upgrade === 'due') {
      actions.push({ kind: 'probe', transport: 0 })
      next.probing = 0
      next.upgrade = 'none'
    }
  }
  return { state: next, actions }
}

function onCloseEvent(
  config: PolicyConfig,
  state: PolicyState,
  signal: Extract<Signal, { kind: 'close-event' }>,
): Decision {
  const reason: ConnectionReason = { kind: 'server-close' }
  const released: Action[] = [
    { kind: 'abort' },
    { kind: 'abort-probe' },
    { kind: 'cancel-upgrade' },
  ]
  const next: PolicyState = { ...state, probing: undefined, upgrade: 'none', attempted: true }
  if (!signal.reconnect) {
    next.phase = 'closed'
    return {
      state: next,
      actions: [...released, { kind: 'cancel-wait' }, { kind: 'stop' }],
      reason,
    }
  }
  if (signal.retry === undefined) return { ...connectNow(next, released), reason }
  next.phase = 'waiting'
  const ms = closeEventDelay(signal.retry, config.backoff, signal.random)
  return { state: next, actions: [...released, { kind: 'wait', ms }], reason }
}

function onEnded(
  config: PolicyConfig,
  state: PolicyState,
  signal: Extract<Signal, { kind: 'ended' }>,
): Decision {
  const { reason } = signal
  const failed = !signal.succeeded || ALWAYS_FAILS.has(reason.kind)
  // [design] a planned recycle reconnects at once and is not a failure; an upgrade timer or
  // probe under way goes on, or a stream that recycles often would never upgrade.
  if (!failed && reason.kind === 'ended' && reason.recycled === true)
    return { ...connectNow({ ...state, attempted: true }), reason }
  const next: PolicyState = { ...state, attempted: true, probing: undefined, upgrade: 'none' }
  const released: Action[] = [{ kind: 'abort-probe' }, { kind: 'cancel-upgrade' }]
  const base = state.retryBase ?? config.backoff.initial

  // [spec] HTTP 204 No Content: the client must stop reconnecting.
  if (reason.kind === 'no-content') {
    next.phase = 'closed'
    return { state: next, actions: [...released, { kind: 'stop' }], reason }
  }

  if (!failed) {
    next.phase = 'waiting'
    const ms = backoffDelay(0, base, config.backoff, signal.random)
    return { state: next, actions: [...released, { kind: 'wait', ms }], reason }
  }

  // Expired credentials: resolve the headers again once before calling it a failure.
  if (
    reason.kind === 'http' &&
    (reason.status === 401 || reason.status === 403) &&
    !state.authRetried
  ) {
    next.authRetried = true
    return { ...connectNow(next, released), reason }
  }

  const { strategy } = config
  const all = (1 << config.transports) - 1
  next.failures = state.failures + 1
  next.failedTransports = state.failedTransports | (1 << state.transport)
  const fallbackOn = strategy.fallbackAfter !== false && config.transports > 1
  if (fallbackOn) {
    // Buffering is a property of the path: retrying the same way cannot help.
    next.fallbackFailures =
      reason.kind === 'buffered' ? Number(strategy.fallbackAfter) : state.fallbackFailures + 1
  }
  const noOtherTransport = !fallbackOn || next.failedTransports === all
  if (signal.resumed && isEvidenceAgainstResumePoint(reason, signal.succeeded, noOtherTransport)) {
    next.resumeFailures = state.resumeFailures + 1
  }

  if (
    strategy.resetAfter !== false &&
    signal.resumed &&
    next.resumeFailures >= strategy.resetAfter
  ) {
    next.resumeFailures = 0
    return { ...connectNow(next, [...released, { kind: 'drop-resume-point', reason }]), reason }
  }

  if (fallbackOn && next.fallbackFailures >= Number(strategy.fallbackAfter)) {
    next.transport = (state.transport + 1) % config.transports
    next.fallbackFailures = 0
    return { ...connectNow(next, released), reason }
  }

  next.phase = 'waiting'
  const ms = backoffDelay(next.failures, base, config.backoff, signal.random)
  return { state: next, actions: [...released, { kind: 'wait', ms }], reason }
}

/**
 * Only evidence against the resume point counts toward `resetAfter`, so a proxy restart or
 * a short outage never costs a `gap` while the server still has the history.
 */
function isEvidenceAgainstResumePoint(
  reason: ConnectionReason,
  succeeded: boolean,
  noOtherTransport: boolean,
): boolean {
  if (reason.kind === 'http') {
    return reason.status >= 400 && reason.status < 600 && !TRANSIENT_STATUSES.has(reason.status)
  }
  if (!noOtherTransport) return false
  if (reason.kind === 'timeout' || reason.kind === 'buffered') return true
  return (reason.kind === 'stall' || reason.kind === 'ended') && !succeeded
}
