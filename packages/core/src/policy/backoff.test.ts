import { describe, expect, it } from 'vitest'
import { backoffDelay, backoffStep, closeEventDelay, DEFAULT_BACKOFF } from './backoff'

describe('backoff', () => {
  it('doubles from the base up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffStep(n, 1_000, DEFAULT_BACKOFF))).toEqual([
      1_000, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000,
    ])
  })

  it('jitters fully between 0 and the step', () => {
    expect(backoffDelay(3, 1_000, DEFAULT_BACKOFF, 0)).toBe(0)
    expect(backoffDelay(3, 1_000, DEFAULT_BACKOFF, 0.5)).toBe(2_000)
  })

  it('never exceeds what setTimeout can hold', () => {
    expect(backoffStep(100, 1_000, { initial: 1, max: Number.MAX_SAFE_INTEGER, factor: 10 })).toBe(
      2 ** 31 - 1,
    )
  })

  it('spreads a close event retry between half and all of it, capped', () => {
    expect(closeEventDelay(1_000, DEFAULT_BACKOFF, 0)).toBe(500)
    expect(closeEventDelay(1_000, DEFAULT_BACKOFF, 0.5)).toBe(750)
    expect(closeEventDelay(100_000, DEFAULT_BACKOFF, 0.9)).toBe(30_000)
  })
})
