import {
  type ScriptedConnection,
  scriptedTransport,
} from '@lifeline/testkit/doubles/scripted-transport'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type CloseReason, createClient } from '../src/index'

// A correct server in miniature: a history of ids 1..n; an accepted connection replays what
// follows its resume point, then gets every publish live.
type Op =
  | { op: 'accept' }
  | { op: 'publish' }
  | { op: 'end'; reason: CloseReason }
  | { op: 'silence' }
  | { op: 'wait'; ms: number }
  | { op: 'close-event' }
  | { op: 'reset' }
  | { op: 'offline' }
  | { op: 'online' }
  | { op: 'overlap' }

const reasons: CloseReason[] = [
  { kind: 'network' },
  { kind: 'ended' },
  { kind: 'ended', recycled: true },
  { kind: 'http', status: 500 },
  { kind: 'http', status: 502 },
  { kind: 'http', status: 401 },
  { kind: 'protocol', message: 'bad' },
]

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ op: 'accept' as const }) },
  { weight: 6, arbitrary: fc.constant({ op: 'publish' as const }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...reasons).map((reason) => ({ op: 'end' as const, reason })),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'silence' as const }) },
  {
    weight: 3,
    arbitrary: fc.integer({ min: 0, max: 3_000 }).map((ms) => ({ op: 'wait' as const, ms })),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'close-event' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reset' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'offline' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'online' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'overlap' as const }) },
)

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const jitterArb = fc.double({ min: 0, max: 0.999, noNaN: true })

// Across all runs, the interesting paths must have been taken at least once.
const coverage = { upgrades: 0, switches: 0, gaps: 0, duplicates: 0 }

function run(ops: Op[], jitter: number): void {
  vi.clearAllTimers()
  const a = scriptedTransport('a')
  const b = scriptedTransport('b')
  let online = true
  let lifecycle: (signal: 'online' | 'offline') => void = () => {}
  const max = 2_000
  const client = createClient({
    url: 'http://127.0.0.1:1/',
    transports: [a, b],
    strategy: { upgradeAfter: 1_000 },
    backoff: { initial: 100, max },
    connectTimeout: 500,
    firstByteTimeout: 500,
    heartbeatTimeout: 4_000,
    environment: {
      random: () => jitter,
      lifecycle: {
        isOnline: () => online,
        subscribe: (listener) => {
          lifecycle = listener
          return () => {}
        },
      },
    },
  })
  let history = 0
  let epochStart = 0 // ids at or below it were lost to a reset
  // Where each accepted connection's stream starts: it never sends anything older.
  const accepted = new Map<ScriptedConnection, number>()
  const delivered: number[] = []
  const delays: number[] = []
  let gaps = 0
  let resets = 0
  client.on('*', (_type, event) => delivered.push(Number(event.id)))
  client.connection.on('retry', ({ ms }) => delays.push(ms))
  client.connection.on('gap', () => gaps++)
  const live = () => [...a.live(), ...b.live()]
  const newest = () => live().at(-1)
  let resumeBefore = 0
  let gapsBefore = 0

  for (const step of ops) {
    const connection = newest()
    switch (step.op) {
      case 'accept': {
        // Any connection not yet accepted, the upgrade probe included.
        const connection = live().find((c) => !accepted.has(c))
        if (connection) {
          const from = Math.max(Number(connection.request.lastEventId ?? history), epochStart)
          accepted.set(connection, from)
          connection.accept()
          for (let id = from + 1; id <= history && !connection.isClosed; id++) {
            connection.send({ id: String(id) })
          }
          if (!connection.isClosed) connection.position(String(history))
        }
        break
      }
      case 'overlap':
        // An at-least-once server resends the last few events.
        if (connection && accepted.has(connection)) {
          const start = Math.max(accepted.get(connection) as number, epochStart)
          for (
            let id = Math.max(start + 1, history - 2);
            id <= history && !connection.isClosed;
            id++
          ) {
            connection.send({ id: String(id) })
          }
        }
        break
      case 'publish':
        history++
        for (const open of live())
          if (accepted.has(open) && !open.isClosed) open.send({ id: String(history) })
        break
      case 'end':
        connection?.end(step.reason)
        break
      case 'silence':
        vi.advanceTimersByTime(1_000)
        break
      case 'wait':
        vi.advanceTimersByTime(step.ms)
        break
      case 'close-event':
        if (connection && accepted.has(connection)) connection.send({ type: 'close', data: 'bye' })
        break
      case 'reset':
        if (
          connection &&
          accepted.has(connection) &&
          !connection.isClosed &&
          connection === live()[0]
        ) {
          resets++
          epochStart = history
          connection.send({ type: 'reset' })
          connection.position(String(history))
        }
        break
      case 'offline':
        online = false
        lifecycle('offline')
        break
      case 'online':
        online = true
        lifecycle('online')
        break
    }
    // Never stuck: a connection is open, a retry is pending, or the client waits for
    // the network, or it is closed for good.
    const state = client.connection.state
    expect(live().length > 0 || vi.getTimerCount() > 0 || !online || state === 'closed').toBe(true)
    // The resume point after every step: never ahead of what the server has, never behind
    // what the app got, and never moving back but through a gap.
    const resume = client.connection.lastEventId
    if (resume !== undefined) {
      expect(Number(resume)).toBeLessThanOrEqual(history)
      expect(Number(resume)).toBeGreaterThanOrEqual(delivered.at(-1) ?? 0)
      if (gaps === gapsBefore) expect(Number(resume)).toBeGreaterThanOrEqual(resumeBefore)
      resumeBefore = Number(resume)
    }
    gapsBefore = gaps
    // At most one open connection; two only while an upgrade probe runs on 'a'.
    const open = live()
    expect(open.length).toBeLessThanOrEqual(2)
    if (open.length === 2) {
      expect(client.connection.transport).toBe('b')
      expect(open.some((c) => c.transport === 'a')).toBe(true)
    }
  }

  // Every delay is full jitter over a backoff step: initial × 2^k, capped at max (the
  // random source is the constant `jitter`, so each step gives exactly one delay).
  const steps = [100, 200, 400, 800, 1_600, max]
  const allowed = new Set(steps.map((step) => Math.floor(jitter * step)))
  for (const ms of delays) expect(allowed, `delay ${ms} with jitter ${jitter}`).toContain(ms)
  // Exactly once, in order.
  for (let i = 1; i < delivered.length; i++) {
    expect(delivered[i]).toBeGreaterThan(delivered[i - 1] as number)
  }
  // The resume point is the last id the stream set, or cleared by a reset.
  const last = client.connection.lastEventId
  if (last !== undefined) expect(Number(last)).toBeGreaterThanOrEqual(delivered.at(-1) ?? 0)
  // Every reset control event that reached the client emitted a gap.
  expect(gaps).toBeGreaterThanOrEqual(resets)
  const diagnostics = client.connection.diagnostics()
  coverage.upgrades += diagnostics.upgrades
  coverage.switches += diagnostics.switches
  coverage.gaps += diagnostics.gaps
  coverage.duplicates += diagnostics.duplicates
  client.close()
  expect(vi.getTimerCount()).toBe(0)
  expect(live()).toHaveLength(0)
}

describe('client under random fault sequences', () => {
  it('keeps its invariants', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), jitterArb, run), {
      numRuns: 400,
      seed: 20261126,
    })
  })

  it('keeps its invariants after falling back and upgrading', () => {
    // Upgrades need a long calm stretch that random sequences rarely hold: start from one.
    const fail: Op[] = [
      { op: 'end', reason: { kind: 'http', status: 502 } },
      { op: 'wait', ms: 300 },
    ]
    const upgraded: Op[] = [
      ...fail,
      ...fail,
      ...fail,
      { op: 'accept' },
      { op: 'publish' },
      { op: 'wait', ms: 500 },
      { op: 'publish' },
      { op: 'wait', ms: 600 },
      { op: 'accept' },
      { op: 'publish' },
    ]
    const tail = fc.array(opArb, { minLength: 1, maxLength: 60 })
    fc.assert(
      fc.property(tail, jitterArb, (ops, jitter) => run([...upgraded, ...ops], jitter)),
      {
        numRuns: 300,
        seed: 20261127,
      },
    )
  })

  it('took every interesting path', () => {
    for (const count of Object.values(coverage)) expect(count).toBeGreaterThan(0)
  })
})
