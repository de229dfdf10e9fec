import type { ConnectionReason } from '../events'
import { backoffDelay, closeEventDelay } from './backoff'
import type { Action, Decision, PolicyConfig, PolicyState, Signal } from './policy'

/**
 * The negotiator: a pure function from the state and a signal to the next state and the
 * actions the shell performs. It owns no timer, socket or clock, and alone decides what
 * counts as a failure. One handler per signal; each returns a new state. Actions only
 * start things: what the new state no longer has, the shell releases (see {@link Action}).
 *
 * | signal \ phase | idle | connecting | open | waiting | suspended |
 * | --- | --- | --- | --- | --- | --- |
 * | `connect` | open (or suspended when offline/hidden) | – | – | – | – |
 * | `accepted` | – | → open | – | – | – |
 * | `first-byte` | – | success: counters reset, upgrade scheduled on a fallback | same | – | – |
 * | `ended` | – | failure: reset, fall back or back off | clean end: back off one step; recycled: open now; second empty end: failure | – | – |
 * | `close-event` | – | – | open now, or wait its `retry`; `reconnect:false` closes | – | – |
 * | `reset-event` | – | drop the resume point | same | – | – |
 * | `timer` | – | – | – | open | – |
 * | `visible` | – | – | – | open now | – |
 * | `offline`, `pagehide` | flag | → suspended | same | same | flag |
 * | `online`, `pageshow` | flag | – | – | open now | open |
 * | `upgrade-due` | – | due later | probe the first transport | due later | – |
 * | `probe-delivered` | – | – | promote the probe | – | – |
 * | `probe-failed` | – | – | schedule the next upgrade | – | – |
 * | `stand-by` | – | → idle | → idle | → idle | → idle |
 * | `close` | → closed | → closed | → closed | → closed | → closed |
 *
 * In `closed` every signal is ignored. HTTP 204 and `{"reconnect":false}` close for good, and
 * so does a 401/403 that persists after the headers were resolved again, once no other
 * transport is left to try.
 */
export function negotiate(config: PolicyConfig, state: PolicyState, signal: Signal): Decision {
  if (state.phase === 'closed') return unchanged(state)
  const handler = HANDLERS[signal.kind] as Handler<Signal['kind']>
  return handler(config, state, signal)
}

type Handler<K extends Signal['kind']> = (
  config: PolicyConfig,
  state: PolicyState,
  signal: Extract<Signal, { kind: K }>,
) => Decision

const HANDLERS: { [K in Signal['kind']]: Handler<K> } = {
  connect: (_, state) => {
    if (state.phase !== 'idle') return unchanged(state)
    if (state.offline || state.hidden)
      return { state: { ...state, phase: 'suspended' }, actions: [] }
    return connectNow(state)
  },
  accepted: (_, state) =>
    state.phase === 'connecting'
      ? { state: { ...state, phase: 'open' }, actions: [] }
      : unchanged(state),
  'first-byte': onSuccess,
  ended: (config, state, signal) => onEnd(config, state, signal.reason, signal, false),
  'close-event': (config, state, signal) =>
    signal.reconnect
      ? onEnd(config, state, { kind: 'server-close' }, signal, true, signal.retry)
      : closeFor(state, { kind: 'server-close' }),
  'reset-event': (_, state) => ({
    state: { ...state, resumeFailures: 0 },
    actions: [{ kind: 'drop-resume-point', reason: { kind: 'reset' } }],
  }),
  'retry-hint': (_, state, { ms }) => ({ state: { ...state, retryBase: ms }, actions: [] }),
  timer: (_, state) => (state.phase === 'waiting' ? connectNow(state) : unchanged(state)),
  // A page that becomes visible again retries now rather than at the end of a long wait.
  visible: (_, state) => (state.phase === 'waiting' ? connectNow(state) : unchanged(state)),
  offline: (_, state) => suspend(state, { offline: true }, { kind: 'offline' }),
  pagehide: (_, state) => suspend(state, { hidden: true }, { kind: 'hidden' }),
  online: (_, state) => resume({ ...state, offline: false }),
  pageshow: (_, state) => resume({ ...state, hidden: false }),
  'upgrade-due': (_, state) => {
    if (state.upgrade !== 'scheduled') return unchanged(state)
    // Between two connections (a recycle): probe as soon as the next one delivers.
    if (state.phase !== 'open' || state.transport === 0 || state.probing !== undefined)
      return { state: { ...state, upgrade: 'due' }, actions: [] }
    return { state: { ...state, probing: 0, upgrade: 'none' }, actions: [PROBE_FIRST] }
  },
  'probe-delivered': (_, state) => {
    if (state.probing === undefined) return unchanged(state)
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
  },
  'probe-failed': (config, state, { reason }) => {
    if (state.probing === undefined) return unchanged(state)
    const { upgradeAfter } = config.strategy
    const again = upgradeAfter !== false && state.phase === 'open'
    return {
      state: { ...state, probing: undefined, upgrade: again ? 'scheduled' : 'none' },
      actions: again ? [{ kind: 'schedule-upgrade', ms: upgradeAfter }] : [],
      failure: reason,
    }
  },
  'stand-by': (_, state) => ({ state: { ...state, ...LEFT, phase: 'idle' }, actions: [] }),
  close: (_, state) => closeFor(state, { kind: 'close' }),
}

const OPEN: Action = { kind: 'open' }
const PROBE_FIRST: Action = { kind: 'probe', transport: 0 }
/** What every end of the current connection leaves behind: no probe, no upgrade under way. */
const LEFT = { probing: undefined, upgrade: 'none', attempted: true } as const

// Statuses that say "not now" or "not you" rather than "not that resume point".
const TRANSIENT_STATUSES = new Set([401, 403, 408, 429, 502, 503, 504])

/** Reasons that fail an attempt even after its first byte. */
const ALWAYS_FAILS = new Set<ConnectionReason['kind']>(['timeout', 'buffered', 'stall'])

/** How the connection that ended went; a close event arrives on one that succeeded. */
interface Outcome {
  resumed?: boolean
  succeeded?: boolean
  delivered: boolean
  random: number
}

function unchanged(state: PolicyState): Decision {
  return { state, actions: [] }
}

function connectNow(state: PolicyState, reason?: ConnectionReason, first?: Action): Decision {
  const actions = first === undefined ? [OPEN] : [first, OPEN]
  return { state: { ...state, phase: 'connecting' }, actions, reason }
}

function wait(state: PolicyState, ms: number, reason: ConnectionReason): Decision {
  return { state: { ...state, phase: 'waiting' }, actions: [{ kind: 'wait', ms }], reason }
}

function closeFor(state: PolicyState, reason: ConnectionReason): Decision {
  return { state: { ...state, ...LEFT, phase: 'closed' }, actions: [], reason }
}

function suspend(
  state: PolicyState,
  flag: Partial<PolicyState>,
  reason: ConnectionReason,
): Decision {
  const flagged = { ...state, ...flag }
  if (state.phase === 'idle' || state.phase === 'suspended') return unchanged(flagged)
  return { state: { ...flagged, ...LEFT, phase: 'suspended' }, actions: [], reason }
}

function resume(state: PolicyState): Decision {
  if (state.offline || state.hidden) return unchanged(state)
  // Back online (or back from the cache): connect now, and cut a pending wait short.
  return state.phase === 'suspended' || state.phase === 'waiting'
    ? connectNow(state)
    : unchanged(state)
}

function onSuccess(config: PolicyConfig, state: PolicyState): Decision {
  const next: PolicyState = {
    ...state,
    phase: 'open',
    failures: 0,
    fallbackFailures: 0,
    resumeFailures: 0,
    failedTransports: [],
    authRetried: false,
  }
  const { upgradeAfter } = config.strategy
  if (state.transport === 0 || upgradeAfter === false || state.probing !== undefined)
    return unchanged(next)
  // A timer already running keeps running: a recycle must not put the upgrade off.
  if (state.upgrade === 'none')
    return {
      state: { ...next, upgrade: 'scheduled' },
      actions: [{ kind: 'schedule-upgrade', ms: upgradeAfter }],
    }
  if (state.upgrade === 'due')
    return { state: { ...next, probing: 0, upgrade: 'none' }, actions: [PROBE_FIRST] }
  return unchanged(next)
}

/**
 * The current connection ended: by itself (`ended`), or by the server's close event, in
 * which case `retry` is the event's own. Failures go to {@link onFailure}; a clean end
 * reconnects after one backoff step (a recycle and a close event without `retry` at once)
 * unless it is the second in a row to deliver nothing.
 */
function onEnd(
  config: PolicyConfig,
  state: PolicyState,
  reason: ConnectionReason,
  outcome: Outcome,
  closing: boolean,
  retry?: number,
): Decision {
  // [spec] HTTP 204 No Content: the client must stop reconnecting.
  if (reason.kind === 'no-content') return closeFor(state, reason)
  if (!closing && (!outcome.succeeded || ALWAYS_FAILS.has(reason.kind)))
    return onFailure(config, state, reason, outcome, 0)
  // [design] a planned recycle reconnects at once and is not a failure; an upgrade timer or
  // probe under way goes on, or a stream that recycles often would never upgrade.
  if (reason.kind === 'ended' && reason.recycled === true)
    return connectNow({ ...state, attempted: true }, reason)
  const emptyEnds = outcome.delivered ? 0 : state.emptyEnds + 1
  // [design] hot loops: a second end in a row that delivered nothing is a failure.
  if (emptyEnds >= 2) return onFailure(config, state, reason, outcome, emptyEnds)
  const next: PolicyState = { ...state, ...LEFT, emptyEnds }
  if (closing && retry === undefined) return connectNow(next, reason)
  const { backoff } = config
  const ms = closing
    ? closeEventDelay(retry as number, backoff, outcome.random)
    : backoffDelay(0, state.retryBase ?? backoff.initial, backoff, outcome.random)
  // A protocol error after the first byte is no failure of the attempt, but the app hears of it.
  const error = reason.kind === 'protocol' ? { code: 'connection' as const, reason } : undefined
  return { ...wait(next, ms, reason), error }
}

/**
 * A failed attempt: re-resolve the headers once on 401/403, then drop the resume point
 * (`resetAfter`), fall back (`fallbackAfter`) or back off. `emptyEnds` > 0 is a run of ends
 * that delivered nothing: it sets the backoff step and the fallback count.
 */
function onFailure(
  config: PolicyConfig,
  state: PolicyState,
  reason: ConnectionReason,
  outcome: Outcome,
  emptyEnds: number,
): Decision {
  const { strategy } = config
  const base: PolicyState = { ...state, ...LEFT, emptyEnds }
  const failedTransports = state.failedTransports.includes(state.transport)
    ? state.failedTransports
    : [...state.failedTransports, state.transport]
  const fallbackAfter = config.transports > 1 ? strategy.fallbackAfter : false
  const noOtherTransport = fallbackAfter === false || failedTransports.length >= config.transports
  if (reason.kind === 'http' && (reason.status === 401 || reason.status === 403)) {
    // Expired credentials: resolve the headers again once; the same answer again is final
    // once no other transport is left. Until then it falls back at once: a proxy may forbid
    // WebSocket upgrades with a 403 on exactly the networks long-poll is for.
    if (!state.authRetried) return connectNow({ ...base, authRetried: true }, reason)
    if (noOtherTransport)
      return { ...closeFor(base, reason), failure: reason, error: { code: 'unauthorized', reason } }
    const transport = (state.transport + 1) % config.transports
    const next = { ...base, transport, failedTransports, fallbackFailures: 0, emptyEnds: 0 }
    return { ...connectNow(next, reason), failure: reason, error: { code: 'connection', reason } }
  }
  const run = Math.max(1, emptyEnds - 1)
  const failures = Math.max(state.failures + 1, run)
  // Buffering is a property of the path: retrying the same way cannot help.
  const fallbackFailures =
    fallbackAfter === false
      ? 0
      : reason.kind === 'buffered'
        ? fallbackAfter
        : Math.max(state.fallbackFailures + 1, run)
  const resumed = outcome.resumed === true
  const evidence =
    resumed && isEvidenceAgainstResumePoint(reason, outcome.succeeded === true, noOtherTransport)
  const next: PolicyState = {
    ...base,
    failures,
    failedTransports,
    fallbackFailures,
    resumeFailures: state.resumeFailures + (evidence ? 1 : 0),
  }
  const failed = { failure: reason, error: { code: 'connection' as const, reason } }
  if (strategy.resetAfter !== false && resumed && next.resumeFailures >= strategy.resetAfter) {
    const drop: Action = { kind: 'drop-resume-point', reason }
    return { ...connectNow({ ...next, resumeFailures: 0 }, reason, drop), ...failed }
  }
  if (fallbackAfter !== false && fallbackFailures >= fallbackAfter) {
    // The next transport starts its own run: empty ends on this one say nothing of it.
    const transport = (state.transport + 1) % config.transports
    return {
      ...connectNow({ ...next, transport, fallbackFailures: 0, emptyEnds: 0 }, reason),
      ...failed,
    }
  }
  // A server's `retry: 0` is honoured for a clean end only: a failure always backs off.
  const ms = backoffDelay(
    failures,
    state.retryBase || config.backoff.initial,
    config.backoff,
    outcome.random,
  )
  return { ...wait(next, ms, reason), ...failed }
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
  // [design] a protocol failure never counts: it says nothing of the resume point (a server
  // that closes 1013 while its log is away would cost a gap). Ids are bounded instead.
  if (reason.kind === 'timeout' || reason.kind === 'buffered') return true
  return (reason.kind === 'stall' || reason.kind === 'ended') && !succeeded
}
