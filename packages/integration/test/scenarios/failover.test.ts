import { blockedSse, bufferingProxy, type FailoverResult, silentStall } from '@lifeline/integration'
import { describe, expect, it } from 'vitest'

/** Every published event reached the app once, in publish order: compared by id. */
function expectExactlyOnce(result: FailoverResult): void {
  expect(result.delivered.map((e) => e.id)).toEqual(result.published)
  expect(result.delivered.map((e) => e.data)).toEqual(result.published.map((_, i) => String(i + 1)))
  expect(result.gaps).toBe(0)
}

describe('scenario 4: SSE blocked at the proxy while WebSocket works', () => {
  it('falls back after fallbackAfter failures and upgrades back once the route heals, losing and repeating nothing', async () => {
    const result = await blockedSse({ seed: 4, fallbackAfter: 3 })
    expectExactlyOnce(result)
    expect(result.transports).toEqual([
      { from: 'sse-fetch', to: 'websocket', reason: { kind: 'http', status: 502 } },
      { from: 'websocket', to: 'sse-fetch', reason: { kind: 'upgrade' } },
    ])
    // The cut after a success is no failure; then exactly fallbackAfter 502s.
    expect(result.atRecovery.failures).toEqual({ http: 3 })
    expect(result.diagnostics.upgrades).toBe(1)
    // The probe waits for upgradeAfter (500 ms) of service on the fallback, never less.
    const [fellBack, upgraded] = result.transportsAt as [number, number]
    expect(upgraded - fellBack).toBeGreaterThanOrEqual(500)
    // The probe resumes from where the client stood when it started; what WebSocket
    // delivered meanwhile comes again on it and the client's filter drops it: the app (the
    // ids compared above) sees each event once.
    expect(result.diagnostics.events).toBe(result.published.length)
    const pipes = result.delivered.map((e) => e.transport)
    expect(pipes[0]).toBe('sse-fetch')
    expect(pipes[pipes.length - 1]).toBe('sse-fetch')
    expect(pipes).toContain('websocket')
  })
})

describe('scenario 5: a proxy that buffers the SSE response', () => {
  it('is detected through firstByteTimeout and makes the client fall back at once, losing nothing', async () => {
    const result = await bufferingProxy({ seed: 5 })
    expectExactlyOnce(result)
    expect(result.transports).toEqual([
      { from: 'sse-fetch', to: 'websocket', reason: { kind: 'buffered' } },
    ])
    expect(result.atRecovery.failures).toEqual({ buffered: 1 })
    // The verdict needs firstByteTimeout (300 ms) of silence after the response head; the
    // upper bound leaves room for a loaded 2-core machine, as in scenario 6.
    expect(result.detectionMs).toBeGreaterThanOrEqual(300)
    expect(result.detectionMs).toBeLessThan(300 + 1_000)
    expect(result.delivered[result.delivered.length - 1]?.transport).toBe('websocket')
  })
})

describe('scenario 6: a silent stall mid-stream', () => {
  it('is detected within heartbeatTimeout and resumed after one backoff step with no loss', async () => {
    const result = await silentStall({ seed: 6 })
    expectExactlyOnce(result)
    expect(result.states.filter((s) => s.reason?.kind === 'stall')).toHaveLength(1)
    expect(result.atRecovery.failures).toEqual({ stall: 1 })
    expect(result.transports).toEqual([])
    // heartbeatTimeout is 500 ms; the last byte came at most one heartbeat (100 ms) before
    // the stall. The upper bound leaves room for a loaded 2-core machine.
    expect(result.detectionMs).toBeGreaterThanOrEqual(400)
    expect(result.detectionMs).toBeLessThan(500 + 1_000)
    // One backoff step (at most backoff.max, 100 ms) plus the reconnect and replay.
    expect(result.recoveryMs - result.detectionMs).toBeLessThan(100 + 1_000)
  })
})
