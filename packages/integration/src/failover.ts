import type { ConnectionEvents, Diagnostics, StreamEvent } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { mulberry32 } from '@lifeline/testkit/doubles/prng'
import type { Fault, RouteMatch } from '@lifeline/testkit/fault-proxy/proxy'
import { FAST, type Rig, startRig } from '@lifeline/testkit/scenario/rig'
import { websocket } from '@lifeline/websocket'
import { publishSteadily, type SteadyPublisher } from './publisher'

/** The SSE route at the proxy: WebSocket upgrades do not ask for `text/event-stream`. */
export const SSE_ROUTE: RouteMatch = { headers: { accept: 'text/event-stream' } }

/** The rate scenarios publish at while a fault hits. */
export const EVENTS_PER_SECOND = 1_000

/** What one failover run measured, for assertions and for the figures. */
export interface FailoverResult {
  /** Ids in publish order. */
  published: string[]
  delivered: StreamEvent[]
  /** Ms from the fault to the client's verdict (the `state`/`transport` event naming it). */
  detectionMs: number
  /** Ms from the fault to the first event delivered on the recovered connection. */
  recoveryMs: number
  /** Ms from healing the route to the first event over the upgraded transport (scenario 4). */
  upgradeMs: number | undefined
  /** Diagnostics when the client had recovered, before any later upgrade probe. */
  atRecovery: Diagnostics
  /** Diagnostics at the end. */
  diagnostics: Diagnostics
  transports: ConnectionEvents['transport'][]
  /** When each of `transports` happened (`performance.now()`), in the same order. */
  transportsAt: number[]
  states: ConnectionEvents['state'][]
  gaps: number
}

/** Runs `body` on a fresh rig with events published throughout, then drains and closes. */
async function run(
  rig: Rig,
  body: () => Promise<
    Omit<
      FailoverResult,
      'published' | 'delivered' | 'diagnostics' | 'transports' | 'transportsAt' | 'states' | 'gaps'
    >
  >,
): Promise<FailoverResult> {
  const { seen, client } = rig
  let publisher: SteadyPublisher | undefined
  try {
    await rig.positioned()
    publisher = publishSteadily(rig.publish, { total: 1_000_000, perSecond: EVENTS_PER_SECOND })
    const measured = await body()
    // A tail of events over the final pipe, so a duplicate or loss after the last switch shows.
    const tail = seen.events.length + 100
    await seen.until(() => seen.events.length >= tail, '100 events after recovery')
    const ids = publisher.ids
    await publisher.stop()
    await seen.until(() => seen.events.length >= ids.length, 'every published event')
    return {
      ...measured,
      published: [...ids],
      delivered: [...seen.events],
      diagnostics: client.connection.diagnostics(),
      transports: seen.transports.map((t) => t.event),
      transportsAt: seen.transports.map((t) => t.at),
      states: seen.states.map((s) => s.event),
      gaps: seen.gaps.length,
    }
  } finally {
    await publisher?.stop()
    await rig.close()
  }
}

/** Waits for the first event at or after `mark` that `accept` takes; returns when it came. */
async function firstEvent(
  rig: Rig,
  mark: number,
  accept: (e: StreamEvent) => boolean,
  what: string,
) {
  await rig.seen.until(() => rig.seen.firstAfter(mark, accept) !== undefined, what)
  return (rig.seen.firstAfter(mark, accept) as { at: number }).at
}

/**
 * After 100 events over SSE, puts `fault` on the SSE route and cuts the open connection, then
 * waits for the first event over WebSocket. Returns the fault's time, the switch and the
 * first event after it.
 */
async function breakSseUntilWebSocket(rig: Rig, fault: Fault) {
  const { seen, proxy } = rig
  await seen.until(() => seen.events.length >= 100, '100 events over SSE')
  const rule = proxy.setRule(SSE_ROUTE, fault)
  const mark = seen.events.length
  const faultAt = performance.now()
  proxy.cutAll({ mode: 'rst' })
  const recoveredAt = await firstEvent(
    rig,
    mark,
    (e) => e.transport === 'websocket',
    'an event over WebSocket',
  )
  const switched = seen.transports.find((t) => t.event.to === 'websocket') as { at: number }
  return { rule, faultAt, recoveredAt, detectionMs: switched.at - faultAt }
}

/**
 * Scenario 4: SSE answers 502 at the proxy while WebSocket works. The client falls back after
 * `fallbackAfter` failures, then, once the route heals, probes SSE after `upgradeAfter` and
 * switches back.
 *
 * @example
 * ```ts
 * const result = await blockedSse({ seed: 4 })
 * ```
 */
export async function blockedSse(options: { seed: number; fallbackAfter?: number }) {
  const rig = await startRig({
    seed: options.seed,
    client: {
      transports: [sseFetch(), websocket()],
      strategy: { fallbackAfter: options.fallbackAfter ?? 3, upgradeAfter: 500 },
      environment: { random: mulberry32(options.seed) },
      ...FAST.client,
    },
  })
  return run(rig, async () => {
    const { seen, client } = rig
    const broken = await breakSseUntilWebSocket(rig, { kind: 'status', status: 502 })
    const atRecovery = client.connection.diagnostics()
    const onWebSocket = seen.events.length
    await seen.until(() => seen.events.length >= onWebSocket + 200, '200 events over WebSocket')
    const healMark = seen.events.length
    const healAt = performance.now()
    broken.rule.remove()
    const upgradedAt = await firstEvent(
      rig,
      healMark,
      (e) => e.transport === 'sse-fetch',
      'the upgrade back to SSE',
    )
    return {
      detectionMs: broken.detectionMs,
      recoveryMs: broken.recoveredAt - broken.faultAt,
      upgradeMs: upgradedAt - healAt,
      atRecovery,
    }
  })
}

/**
 * Scenario 5: a proxy that buffers the SSE response body. The client sees the response head,
 * then nothing for `firstByteTimeout`, and falls back at once.
 *
 * @example
 * ```ts
 * const result = await bufferingProxy({ seed: 5 })
 * ```
 */
export async function bufferingProxy(options: { seed: number }) {
  const rig = await startRig({
    seed: options.seed,
    client: {
      transports: [sseFetch(), websocket()],
      strategy: { upgradeAfter: false },
      environment: { random: mulberry32(options.seed) },
      ...FAST.client,
    },
  })
  return run(rig, async () => {
    const broken = await breakSseUntilWebSocket(rig, { kind: 'buffer' })
    return {
      detectionMs: broken.detectionMs,
      recoveryMs: broken.recoveredAt - broken.faultAt,
      upgradeMs: undefined,
      atRecovery: rig.client.connection.diagnostics(),
    }
  })
}

/**
 * Scenario 6: the SSE connection goes silent mid-stream (no FIN, no RST, no byte). The
 * heartbeat watchdog calls it a stall and the client resumes on a new connection.
 *
 * @example
 * ```ts
 * const result = await silentStall({ seed: 6 })
 * ```
 */
export async function silentStall(options: { seed: number }) {
  const rig = await startRig({
    seed: options.seed,
    client: {
      transports: [sseFetch(), websocket()],
      environment: { random: mulberry32(options.seed) },
      ...FAST.client,
    },
  })
  return run(rig, async () => {
    const { seen, proxy, client } = rig
    await seen.until(() => seen.events.length >= 100, '100 events over SSE')
    const faultAt = performance.now()
    proxy.stallAll()
    const stalled = () => seen.states.find((s) => s.event.reason?.kind === 'stall')
    await seen.until(() => stalled() !== undefined, 'the stall verdict')
    const detectedAt = (stalled() as { at: number }).at
    const mark = seen.times.findIndex((at) => at > detectedAt)
    const recoveredAt = await firstEvent(
      rig,
      mark === -1 ? seen.events.length : mark,
      () => true,
      'an event after the stall',
    )
    return {
      detectionMs: detectedAt - faultAt,
      recoveryMs: recoveredAt - faultAt,
      upgradeMs: undefined,
      atRecovery: client.connection.diagnostics(),
    }
  })
}
