import { describe, expect, it } from 'vitest'
import type { ConnectionReason } from '../events'
import { negotiate } from './negotiator'
import {
  type Action,
  initialPolicyState,
  type PolicyConfig,
  type PolicyState,
  type Signal,
} from './policy'
import { STRATEGY_PRESETS } from './strategy'

const backoff = { initial: 1_000, max: 30_000, factor: 2 }
const config = (transports = 2, strategy = STRATEGY_PRESETS.resilient): PolicyConfig => ({
  strategy: { ...strategy },
  backoff,
  transports,
})
const connecting: PolicyState = { ...initialPolicyState, phase: 'connecting' }
const open: PolicyState = { ...initialPolicyState, phase: 'open' }
const ended = (
  reason: ConnectionReason,
  opts: { resumed?: boolean; succeeded?: boolean; delivered?: boolean; random?: number } = {},
): Signal => ({
  kind: 'ended',
  reason,
  resumed: opts.resumed ?? true,
  succeeded: opts.succeeded ?? false,
  delivered: opts.delivered ?? opts.succeeded ?? false,
  random: opts.random ?? 0.5,
})
const closeEvent = (
  opts: { reconnect?: boolean; retry?: number; delivered?: boolean; random?: number } = {},
): Signal => ({
  kind: 'close-event',
  reconnect: opts.reconnect ?? true,
  retry: opts.retry,
  delivered: opts.delivered ?? true,
  random: opts.random ?? 0.3,
})
const kinds = (actions: Action[]) => actions.map((action) => action.kind)
/** What a decision comes to: `closed`, else the kind of its last action ('' for none). */
const outcomeOf = (decision: { state: PolicyState; actions: Action[] }) =>
  decision.state.phase === 'closed' ? 'closed' : (kinds(decision.actions).at(-1) ?? '')
const waitMs = (actions: Action[]) => actions.find((action) => action.kind === 'wait')

describe('negotiate: every reason that ends an attempt before its first byte', () => {
  // One transport, resumed attempt, first failure: what does each reason lead to?
  const table: [string, ConnectionReason, string, number][] = [
    // label, reason, expected last action, resumeFailures after
    ['network error', { kind: 'network' }, 'wait', 0],
    ['HTTP 500', { kind: 'http', status: 500 }, 'wait', 1],
    ['HTTP 404', { kind: 'http', status: 404 }, 'wait', 1],
    ['HTTP 401 (first time: headers again)', { kind: 'http', status: 401 }, 'open', 0],
    ['HTTP 403 (first time: headers again)', { kind: 'http', status: 403 }, 'open', 0],
    ['HTTP 408', { kind: 'http', status: 408 }, 'wait', 0],
    ['HTTP 429', { kind: 'http', status: 429 }, 'wait', 0],
    ['HTTP 502', { kind: 'http', status: 502 }, 'wait', 0],
    ['HTTP 503', { kind: 'http', status: 503 }, 'wait', 0],
    ['HTTP 504', { kind: 'http', status: 504 }, 'wait', 0],
    // DESIGN: protocol never counts toward resetAfter, whatever is left to try.
    ['protocol', { kind: 'protocol', message: 'text/html' }, 'wait', 0],
    ['ended before the first byte', { kind: 'ended' }, 'wait', 1],
    ['aborted by the transport', { kind: 'aborted' }, 'wait', 0],
    ['timeout', { kind: 'timeout' }, 'wait', 1],
    ['stall before the first byte', { kind: 'stall' }, 'wait', 1],
    ['buffered', { kind: 'buffered' }, 'wait', 1],
    ['no content', { kind: 'no-content' }, 'closed', 0],
  ]
  it.each(table)('%s → %s', (_label, reason, last, resumeFailures) => {
    const decision = negotiate(config(1), connecting, ended(reason))
    expect(outcomeOf(decision)).toBe(last)
    expect(decision.state.resumeFailures).toBe(resumeFailures)
    expect(decision.reason).toEqual(reason)
  })

  it('stops for good on HTTP 204, in every state', () => {
    for (const state of [connecting, open]) {
      const decision = negotiate(
        config(),
        state,
        ended({ kind: 'no-content' }, { succeeded: true }),
      )
      expect(decision.state.phase).toBe('closed')
      expect(decision.actions).toEqual([])
    }
  })
})

describe('negotiate: every reason in every state an attempt can end in', () => {
  const reasons: ConnectionReason[] = [
    { kind: 'network' },
    { kind: 'http', status: 401 },
    { kind: 'http', status: 404 },
    { kind: 'http', status: 500 },
    { kind: 'http', status: 502 },
    { kind: 'protocol', message: 'text/html' },
    { kind: 'ended' },
    { kind: 'ended', recycled: true },
    { kind: 'aborted' },
    { kind: 'timeout' },
    { kind: 'stall' },
    { kind: 'buffered' },
    { kind: 'no-content' },
  ]
  // What follows, as [last action, transport after, failures after]: 'wait' is a backoff,
  // 'open' an attempt now (on the transport named), 'closed' the end, '' nothing at all.
  type Outcome = [string, number, number]
  const label = (reason: ConnectionReason) =>
    reason.kind === 'http'
      ? `http ${reason.status}`
      : reason.kind === 'ended' && reason.recycled
        ? 'ended (recycled)'
        : reason.kind
  const states: {
    name: string
    state: PolicyState
    succeeded: boolean
    expect: (reason: ConnectionReason) => Outcome
  }[] = [
    {
      name: 'connecting, two transports, one failure short of fallback',
      state: { ...connecting, attempted: true, failures: 2, fallbackFailures: 2 },
      succeeded: false,
      expect: (reason) =>
        reason.kind === 'no-content'
          ? ['closed', 0, 2]
          : reason.kind === 'http' && reason.status === 401
            ? ['open', 0, 2]
            : ['open', 1, 3],
    },
    {
      name: 'connecting on the fallback, both transports failed',
      state: {
        ...connecting,
        attempted: true,
        transport: 1,
        failures: 4,
        failedTransports: [0],
        fallbackFailures: 0,
      },
      succeeded: false,
      // Buffering is a property of the path: it falls back at once, even here.
      expect: (reason) =>
        reason.kind === 'no-content'
          ? ['closed', 1, 4]
          : reason.kind === 'http' && reason.status === 401
            ? ['open', 1, 4]
            : reason.kind === 'buffered'
              ? ['open', 0, 5]
              : ['wait', 1, 5],
    },
    {
      name: 'open after its first byte',
      state: { ...open, attempted: true },
      succeeded: true,
      expect: (reason) =>
        reason.kind === 'no-content'
          ? ['closed', 0, 0]
          : reason.kind === 'buffered'
            ? ['open', 1, 1]
            : reason.kind === 'timeout' || reason.kind === 'stall'
              ? ['wait', 0, 1]
              : reason.kind === 'ended' && reason.recycled
                ? ['open', 0, 0]
                : ['wait', 0, 0],
    },
    {
      name: 'closed',
      state: { ...initialPolicyState, phase: 'closed', attempted: true },
      succeeded: true,
      expect: () => ['closed', 0, 0],
    },
  ]
  for (const { name, state, succeeded, expect: outcome } of states) {
    it.each(reasons.map((reason) => [label(reason), reason] as const))(
      `${name}: %s`,
      (_label, reason) => {
        const decision = negotiate(config(2), state, ended(reason, { succeeded }))
        const [last, transport, failures] = outcome(reason)
        expect(outcomeOf(decision)).toBe(last)
        expect(decision.state.transport).toBe(transport)
        expect(decision.state.failures).toBe(failures)
        if (last === 'wait') expect(decision.state.phase).toBe('waiting')
        if (last === 'open') expect(decision.state.phase).toBe('connecting')
      },
    )
  }
})

describe('negotiate: drops after a success are not failures', () => {
  const clean: ConnectionReason[] = [
    { kind: 'ended' },
    { kind: 'network' },
    { kind: 'protocol', message: 'too large' },
    { kind: 'http', status: 500 },
  ]
  it.each(clean)('%o after the first byte → reconnect at the first backoff step', (reason) => {
    const state = { ...open, failures: 0 }
    const decision = negotiate(config(), state, ended(reason, { succeeded: true, random: 0.99 }))
    expect(decision.state.failures).toBe(0)
    expect(decision.state.resumeFailures).toBe(0)
    expect(waitMs(decision.actions)).toEqual({ kind: 'wait', ms: 990 })
  })

  it('a planned recycle (ended, recycled) reconnects at once, with no failure counted', () => {
    const state = { ...open, failures: 0 }
    const reason: ConnectionReason = { kind: 'ended', recycled: true }
    const decision = negotiate(config(), state, ended(reason, { succeeded: true, random: 0.99 }))
    expect(kinds(decision.actions)).toEqual(['open'])
    expect(decision.state.failures).toBe(0)
    expect(decision.state.phase).toBe('connecting')
    expect(decision.reason).toEqual(reason)
  })

  it('a planned recycle on the fallback neither cancels nor restarts the upgrade', () => {
    const recycled = ended({ kind: 'ended', recycled: true }, { succeeded: true })
    // On the fallback, with the upgrade timer running and a probe under way.
    const onFallback: PolicyState = { ...open, transport: 1, upgrade: 'scheduled' }
    const first = negotiate(config(), onFallback, recycled)
    expect(kinds(first.actions)).toEqual(['open'])
    expect(first.state.upgrade).toBe('scheduled')
    // The new connection's first byte does not put the timer off again.
    const again = negotiate(config(), first.state, { kind: 'first-byte' })
    expect(again.actions).toEqual([])
    // The timer fires between two connections: the probe starts with the next one.
    const between = negotiate(config(), first.state, { kind: 'upgrade-due' })
    expect(between.actions).toEqual([])
    expect(between.state.upgrade).toBe('due')
    const next = negotiate(config(), between.state, { kind: 'first-byte' })
    expect(next.actions).toEqual([{ kind: 'probe', transport: 0 }])
    expect(next.state.probing).toBe(0)
    // A probe under way survives a recycle of the current connection.
    const probing: PolicyState = { ...open, transport: 1, probing: 0 }
    expect(negotiate(config(), probing, recycled).state.probing).toBe(0)
  })

  it.each<ConnectionReason>([{ kind: 'stall' }, { kind: 'timeout' }, { kind: 'buffered' }])(
    '%o fails even after a success',
    (reason) => {
      const decision = negotiate(config(1), open, ended(reason, { succeeded: true }))
      expect(decision.state.failures).toBe(1)
    },
  )
})

describe('negotiate: remedy 2, reset the resume point', () => {
  it('drops the resume point after resetAfter failed resumes and connects fresh at once', () => {
    let state = connecting
    const first = negotiate(config(1), state, ended({ kind: 'http', status: 500 }))
    state = { ...first.state, phase: 'connecting' }
    expect(kinds(first.actions)).not.toContain('drop-resume-point')
    const second = negotiate(config(1), state, ended({ kind: 'http', status: 500 }))
    expect(kinds(second.actions)).toEqual(['drop-resume-point', 'open'])
    expect(second.state.resumeFailures).toBe(0)
  })

  it('never counts attempts without a resume point', () => {
    const decision = negotiate(
      config(1),
      { ...connecting, resumeFailures: 1 },
      ended({ kind: 'http', status: 500 }, { resumed: false }),
    )
    expect(decision.state.resumeFailures).toBe(1)
    expect(kinds(decision.actions)).not.toContain('drop-resume-point')
  })

  it('does not count a silent server while another transport is left to try', () => {
    const decision = negotiate(config(2), connecting, ended({ kind: 'timeout' }))
    expect(decision.state.resumeFailures).toBe(0)
  })

  it('counts a silent server once every transport failed since the last success', () => {
    const state = { ...connecting, transport: 1, failedTransports: [0] }
    const decision = negotiate(config(2), state, ended({ kind: 'timeout' }))
    expect(decision.state.resumeFailures).toBe(1)
  })

  it('a reset control event drops the resume point at once', () => {
    const decision = negotiate(config(), { ...open, resumeFailures: 1 }, { kind: 'reset-event' })
    expect(decision.actions).toEqual([{ kind: 'drop-resume-point', reason: { kind: 'reset' } }])
    expect(decision.state.resumeFailures).toBe(0)
  })

  it("the 'reset' preset has no fallback and no close event", () => {
    const decision = negotiate(
      config(2, STRATEGY_PRESETS.reset),
      { ...connecting, fallbackFailures: 0 },
      ended({ kind: 'buffered' }),
    )
    expect(decision.state.transport).toBe(0)
    expect(decision.state.resumeFailures).toBe(1)
  })
})

describe('negotiate: remedy 3, fallback and upgrade', () => {
  it('switches to the next transport after fallbackAfter failures, at once', () => {
    let state: PolicyState = connecting
    for (let i = 0; i < 2; i++) {
      state = {
        ...negotiate(config(), state, ended({ kind: 'network' })).state,
        phase: 'connecting',
      }
      expect(state.transport).toBe(0)
    }
    const third = negotiate(config(), state, ended({ kind: 'network' }))
    expect(third.state.transport).toBe(1)
    expect(kinds(third.actions).at(-1)).toBe('open')
    expect(third.reason).toEqual({ kind: 'network' })
  })

  it('buffering reaches fallbackAfter at once', () => {
    const decision = negotiate(config(), connecting, ended({ kind: 'buffered' }))
    expect(decision.state.transport).toBe(1)
  })

  it('wraps around to the preferred transport after the last one fails', () => {
    const state = { ...connecting, transport: 1, fallbackFailures: 2 }
    expect(negotiate(config(), state, ended({ kind: 'network' })).state.transport).toBe(0)
  })

  it('never switches with a single transport or with fallback off', () => {
    expect(negotiate(config(1), connecting, ended({ kind: 'buffered' })).state.transport).toBe(0)
    const off = config(2, STRATEGY_PRESETS['close-event'])
    expect(negotiate(off, connecting, ended({ kind: 'buffered' })).state.transport).toBe(0)
  })

  it('schedules an upgrade probe after the first byte on a fallback', () => {
    const decision = negotiate(config(), { ...open, transport: 1 }, { kind: 'first-byte' })
    expect(decision.actions).toEqual([{ kind: 'schedule-upgrade', ms: 60_000 }])
    expect(negotiate(config(), open, { kind: 'first-byte' }).actions).toEqual([])
  })

  it('probes the preferred transport when the upgrade is due, and switches only once it delivers', () => {
    const scheduled: PolicyState = { ...open, transport: 1, upgrade: 'scheduled' }
    const due = negotiate(config(), scheduled, { kind: 'upgrade-due' })
    expect(due.actions).toEqual([{ kind: 'probe', transport: 0 }])
    expect(due.state.transport).toBe(1)
    const delivered = negotiate(config(), due.state, { kind: 'probe-delivered' })
    expect(delivered.state.transport).toBe(0)
    expect(delivered.actions).toEqual([{ kind: 'promote-probe' }])
    expect(delivered.reason).toEqual({ kind: 'upgrade' })
  })

  it('a failed probe leaves the fallback in place and tries again later', () => {
    const probing = { ...open, transport: 1, probing: 0 }
    const decision = negotiate(config(), probing, {
      kind: 'probe-failed',
      reason: { kind: 'network' },
    })
    expect(decision.state.transport).toBe(1)
    // The probe goes with `probing` unset; the next try is scheduled.
    expect(decision.state.probing).toBeUndefined()
    expect(decision.actions).toEqual([{ kind: 'schedule-upgrade', ms: 60_000 }])
  })
})

describe('negotiate: remedy 1, the close event', () => {
  it('reconnects at once without retry', () => {
    const decision = negotiate(config(), open, closeEvent())
    // 'open' replaces the connection the close event arrived on.
    expect(kinds(decision.actions)).toEqual(['open'])
    expect(decision.reason).toEqual({ kind: 'server-close' })
  })

  it('waits between half the retry and all of it, capped at backoff.max', () => {
    const at = (random: number, retry: number) =>
      waitMs(negotiate(config(), open, closeEvent({ retry, random })).actions)
    expect(at(0, 4_000)).toEqual({ kind: 'wait', ms: 2_000 })
    expect(at(0.999, 4_000)).toEqual({ kind: 'wait', ms: 3_998 })
    expect(at(0.5, 100_000)).toEqual({ kind: 'wait', ms: 30_000 })
  })

  it('stops for good on reconnect: false', () => {
    const decision = negotiate(config(), open, closeEvent({ reconnect: false }))
    // Closed: the shell releases everything; no action lists it.
    expect(decision.state.phase).toBe('closed')
    expect(decision.actions).toEqual([])
  })
})

describe('negotiate: backoff', () => {
  it('grows exponentially with full jitter, capped, from the server retry base', () => {
    let state: PolicyState = { ...connecting, retryBase: 500 }
    const steps: number[] = []
    for (let i = 0; i < 8; i++) {
      const decision = negotiate(
        config(1, STRATEGY_PRESETS.none),
        state,
        ended({ kind: 'network' }, { random: 0.999999 }),
      )
      steps.push((waitMs(decision.actions) as { ms: number }).ms)
      state = { ...decision.state, phase: 'connecting' }
    }
    expect(steps).toEqual([499, 999, 1999, 3999, 7999, 15999, 29999, 29999])
  })

  it('takes the server retry hint as its base', () => {
    expect(negotiate(config(), open, { kind: 'retry-hint', ms: 250 }).state.retryBase).toBe(250)
  })
})

describe('negotiate: lifecycle and close', () => {
  it('offline drops everything and waits; online connects now', () => {
    const offline = negotiate(config(), open, { kind: 'offline' })
    // Suspended: no attempt, no wait; on a fallback with a probe running, no probe and no
    // upgrade under way either. The shell lets go of each.
    expect(offline.state.phase).toBe('suspended')
    expect(offline.actions).toEqual([])
    const upgrading: PolicyState = { ...open, transport: 1, probing: 0, upgrade: 'scheduled' }
    const dropped = negotiate(config(), upgrading, { kind: 'offline' }).state
    expect([dropped.phase, dropped.probing, dropped.upgrade]).toEqual([
      'suspended',
      undefined,
      'none',
    ])
    const online = negotiate(config(), offline.state, { kind: 'online' })
    expect(kinds(online.actions)).toEqual(['open'])
  })

  it('pagehide suspends, pageshow reconnects, and both must clear', () => {
    let state = negotiate(config(), open, { kind: 'pagehide' }).state
    state = negotiate(config(), state, { kind: 'offline' }).state
    expect(negotiate(config(), state, { kind: 'pageshow' }).actions).toEqual([])
    state = negotiate(config(), state, { kind: 'pageshow' }).state
    expect(kinds(negotiate(config(), state, { kind: 'online' }).actions)).toEqual(['open'])
  })

  it('a page made visible retries at once if a retry was pending', () => {
    const waiting = { ...open, phase: 'waiting' as const }
    expect(kinds(negotiate(config(), waiting, { kind: 'visible' }).actions)).toEqual(['open'])
    expect(negotiate(config(), open, { kind: 'visible' }).actions).toEqual([])
  })

  it('connect while offline waits for online', () => {
    const decision = negotiate(
      config(),
      { ...initialPolicyState, offline: true },
      { kind: 'connect' },
    )
    expect(decision.state.phase).toBe('suspended')
    expect(decision.actions).toEqual([])
  })

  it('close is final: later signals do nothing', () => {
    const closed = negotiate(config(), { ...open, transport: 1, probing: 0 }, { kind: 'close' })
    expect(closed.state.phase).toBe('closed')
    expect([closed.state.probing, closed.actions]).toEqual([undefined, []])
    for (const signal of [{ kind: 'timer' }, { kind: 'online' }, { kind: 'connect' }] as Signal[]) {
      expect(negotiate(config(), closed.state, signal).actions).toEqual([])
    }
  })
})

describe('negotiate: the policy alone classifies failures', () => {
  it('a failed attempt is counted and reported; a clean end is neither', () => {
    const failed = negotiate(config(1), connecting, ended({ kind: 'http', status: 500 }))
    expect(failed.failure).toEqual({ kind: 'http', status: 500 })
    expect(failed.error).toEqual({ code: 'connection', reason: { kind: 'http', status: 500 } })
    const clean = negotiate(config(1), open, ended({ kind: 'network' }, { succeeded: true }))
    expect(clean.failure).toBeUndefined()
    expect(clean.error).toBeUndefined()
  })

  it('a protocol error after the first byte is no failure, but the app hears of it', () => {
    const reason: ConnectionReason = { kind: 'protocol', message: 'message too large' }
    const decision = negotiate(config(1), open, ended(reason, { succeeded: true }))
    expect(decision.failure).toBeUndefined()
    expect(decision.state.failures).toBe(0)
    expect(decision.error).toEqual({ code: 'connection', reason })
  })

  it('a failed probe counts as a failure but is not reported: the old pipe still serves', () => {
    const probing: PolicyState = { ...open, transport: 1, probing: 0 }
    const decision = negotiate(config(), probing, {
      kind: 'probe-failed',
      reason: { kind: 'timeout' },
    })
    expect(decision.failure).toEqual({ kind: 'timeout' })
    expect(decision.error).toBeUndefined()
  })
})

describe('negotiate: hot loops', () => {
  const empty = (reason: ConnectionReason = { kind: 'ended' }) =>
    ended(reason, { succeeded: true, delivered: false, random: 0.5 })

  it('a second end in a row that delivered nothing is a failure that backs off', () => {
    const first = negotiate(config(1), open, empty())
    expect(first.failure).toBeUndefined()
    expect(first.state.emptyEnds).toBe(1)
    const second = negotiate(config(1), { ...first.state, phase: 'open' }, empty())
    expect(second.failure).toEqual({ kind: 'ended' })
    expect(second.state.failures).toBe(1)
    expect(waitMs(second.actions)).toEqual({ kind: 'wait', ms: 500 })
  })

  it('the run of empty ends grows the backoff and falls back, although each got a byte', () => {
    let state: PolicyState = open
    const steps: string[] = []
    for (let i = 0; i < 5; i++) {
      // Each connection got its first byte (a success resets the counters), then ended empty.
      state = negotiate(config(2), { ...state, phase: 'connecting' }, { kind: 'first-byte' }).state
      const decision = negotiate(config(2), state, empty())
      const wait = waitMs(decision.actions)
      steps.push(wait === undefined ? `switch to ${decision.state.transport}` : String(wait.ms))
      state = decision.state
    }
    // The next transport starts its own run: an empty end there reconnects after one step.
    expect(steps).toEqual(['500', '500', '1000', 'switch to 1', '500'])
  })

  it('a close event right away, twice in a row, backs off instead of reconnecting at once', () => {
    const first = negotiate(config(1), open, closeEvent({ delivered: false }))
    expect(kinds(first.actions)).toEqual(['open'])
    const second = negotiate(
      config(1),
      { ...first.state, phase: 'open' },
      closeEvent({ delivered: false }),
    )
    expect(kinds(second.actions)).toEqual(['wait'])
    expect(second.failure).toEqual({ kind: 'server-close' })
  })

  it('a connection that delivered an event or an id resets the run', () => {
    const first = negotiate(config(1), open, empty())
    const delivered = negotiate(
      config(1),
      { ...first.state, phase: 'open' },
      ended({ kind: 'ended' }, { succeeded: true, delivered: true }),
    )
    expect(delivered.failure).toBeUndefined()
    expect(delivered.state.emptyEnds).toBe(0)
  })

  it('a planned recycle never counts', () => {
    const recycled = ended({ kind: 'ended', recycled: true }, { succeeded: true, delivered: false })
    let state = { ...open, emptyEnds: 1 }
    for (let i = 0; i < 3; i++) {
      const decision = negotiate(config(1), state, recycled)
      expect(kinds(decision.actions)).toEqual(['open'])
      state = { ...decision.state, phase: 'open' }
    }
  })

  it('a server retry of 0 is honoured for a clean end, never for a failure', () => {
    const zero = { ...open, retryBase: 0 }
    expect(waitMs(negotiate(config(1), zero, empty()).actions)).toEqual({ kind: 'wait', ms: 0 })
    const second = negotiate(config(1), { ...zero, emptyEnds: 1 }, empty())
    expect(waitMs(second.actions)).toEqual({ kind: 'wait', ms: 500 })
    const failed = negotiate(config(1), { ...connecting, retryBase: 0 }, ended({ kind: 'network' }))
    expect(waitMs(failed.actions)).toEqual({ kind: 'wait', ms: 500 })
  })
})

describe('negotiate: credentials', () => {
  it('a 401 or 403 resolves the headers again once; the same answer again is final', () => {
    for (const status of [401, 403]) {
      const reason: ConnectionReason = { kind: 'http', status }
      const first = negotiate(config(1), connecting, ended(reason))
      expect(kinds(first.actions)).toEqual(['open'])
      expect(first.error).toBeUndefined()
      const second = negotiate(config(1), { ...first.state, phase: 'connecting' }, ended(reason))
      expect(second.state.phase).toBe('closed')
      expect(second.actions).toEqual([])
      expect(second.error).toEqual({ code: 'unauthorized', reason })
    }
  })

  it('refused again, it falls back at once while another transport is left; final once each refused', () => {
    // A proxy that forbids WebSocket upgrades with 403: long-poll must still get its turn.
    const reason: ConnectionReason = { kind: 'http', status: 403 }
    let state: PolicyState = connecting
    const seen: [string[], number, string | undefined][] = []
    for (let i = 0; i < 4; i++) {
      const decision = negotiate(config(3), { ...state, phase: 'connecting' }, ended(reason))
      state = decision.state
      seen.push([kinds(decision.actions), state.transport, decision.error?.code])
    }
    expect(seen).toEqual([
      [['open'], 0, undefined],
      [['open'], 1, 'connection'],
      [['open'], 2, 'connection'],
      [[], 2, 'unauthorized'],
    ])
    expect(state.phase).toBe('closed')
    // Without fallback there is nothing else to try: the second refusal is final.
    const fixed = config(3, STRATEGY_PRESETS.reset)
    const once = negotiate(fixed, connecting, ended(reason))
    const twice = negotiate(fixed, { ...once.state, phase: 'connecting' }, ended(reason))
    expect(twice.error?.code).toBe('unauthorized')
  })

  it('a success in between starts the count again', () => {
    const reason: ConnectionReason = { kind: 'http', status: 401 }
    const first = negotiate(config(1), connecting, ended(reason))
    const served = negotiate(config(1), { ...first.state, phase: 'open' }, { kind: 'first-byte' })
    const again = negotiate(config(1), { ...served.state, phase: 'connecting' }, ended(reason))
    expect(kinds(again.actions)).toEqual(['open'])
  })
})
