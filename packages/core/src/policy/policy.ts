import type { LifelineErrorCode } from '../errors'
import type { ConnectionReason, ConnectionState } from '../events'
import type { BackoffOptions } from './backoff'
import type { Strategy } from './strategy'

/** Where the policy stands. The shell maps it to the public connection state. */
export type Phase = 'idle' | 'connecting' | 'open' | 'waiting' | 'suspended' | 'closed'

/** The negotiator's whole state: plain data, so every decision is a pure function of it. */
export interface PolicyState {
  readonly phase: Phase
  /** Index into the client's transports of the one in use. */
  readonly transport: number
  /** Whether any attempt has ended yet: the public state is `reconnecting` from then on. */
  readonly attempted: boolean
  /** Failures in a row since the last success: the backoff step. */
  readonly failures: number
  /** Failures counted toward `fallbackAfter` on the current transport. */
  readonly fallbackFailures: number
  /** Evidence against the resume point, counted toward `resetAfter`. */
  readonly resumeFailures: number
  /** The transports (indices) that failed since the last success. */
  readonly failedTransports: readonly number[]
  /** A 401/403 already re-resolved the headers once in this run of failures. */
  readonly authRetried: boolean
  /** Connection ends in a row that delivered nothing after acceptance (hot-loop guard). */
  readonly emptyEnds: number
  /** The server's `retry:` hint: the backoff base. */
  readonly retryBase: number | undefined
  /** The transport an upgrade probe runs on, if one does. */
  readonly probing: number | undefined
  /**
   * The upgrade back to the first transport: `scheduled` while its timer runs, `due` when
   * it fired between two connections (a planned recycle) and waits for the next one.
   */
  readonly upgrade: 'none' | 'scheduled' | 'due'
  readonly offline: boolean
  readonly hidden: boolean
}

/** How an attempt ended, as the shell saw it. */
export interface AttemptOutcome {
  /** The attempt carried a resume point. */
  resumed: boolean
  /** The attempt had its first byte after acceptance. */
  succeeded: boolean
  /** The attempt delivered an event or an id after acceptance. */
  delivered: boolean
}

/** What just happened, as the shell reports it. */
export type Signal =
  | { kind: 'connect' }
  | { kind: 'accepted' }
  | { kind: 'first-byte' }
  /** The current attempt ended; `random` in [0, 1) is the jitter. */
  | ({ kind: 'ended'; reason: ConnectionReason; random: number } & AttemptOutcome)
  | {
      kind: 'close-event'
      reconnect: boolean
      retry: number | undefined
      delivered: boolean
      random: number
    }
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
  | { kind: 'probe-failed'; reason: ConnectionReason }
  /** Another client (a leader tab) serves the stream now: let go, and wait to lead again. */
  | { kind: 'stand-by' }
  | { kind: 'close' }

/**
 * What the shell must start, in order. Nothing is stopped by an action: the shell releases
 * whatever the new state no longer has (an attempt outside `connecting`/`open`, the wait
 * timer outside `waiting`, a probe once `probing` is unset, the upgrade timer unless
 * `scheduled`, everything in `closed`), so no cleanup is ever listed twice or forgotten.
 */
export type Action =
  /** Open an attempt on `state.transport` in place of the current one (headers first). */
  | { kind: 'open' }
  /** Wait `ms`, then signal `timer`. */
  | { kind: 'wait'; ms: number }
  /** Forget the resume point and the duplicate window, and emit `gap`. */
  | { kind: 'drop-resume-point'; reason: ConnectionReason }
  /** After `ms` of stable service, signal `upgrade-due`. */
  | { kind: 'schedule-upgrade'; ms: number }
  /** Open a second attempt on `transport` that replaces the current one once it delivers. */
  | { kind: 'probe'; transport: number }
  /** The probe delivered: it becomes the current attempt, the old one is abandoned. */
  | { kind: 'promote-probe' }

/** The configuration the policy decides by. */
export interface PolicyConfig {
  strategy: Strategy
  backoff: BackoffOptions
  /** How many transports the client has, in preference order. */
  transports: number
}

/**
 * A decision: the next state, what to do, and why. `failure` is set when the step counted
 * an attempt as failed; `error` when the app must hear of it (the `error` event).
 */
export interface Decision {
  state: PolicyState
  actions: Action[]
  reason?: ConnectionReason | undefined
  failure?: ConnectionReason | undefined
  error?: { code: LifelineErrorCode; reason: ConnectionReason } | undefined
}

/** The state of a client that has not connected yet. */
export const initialPolicyState: PolicyState = {
  phase: 'idle',
  transport: 0,
  attempted: false,
  failures: 0,
  fallbackFailures: 0,
  resumeFailures: 0,
  failedTransports: [],
  authRetried: false,
  emptyEnds: 0,
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
  const { phase } = state
  if (phase === 'connecting') return state.attempted ? 'reconnecting' : 'connecting'
  return phase === 'waiting' || phase === 'suspended' ? 'reconnecting' : phase
}
