import { describe, expect, it } from 'vitest'
import { createContiguity, orderOf } from './contiguity'

describe('createContiguity', () => {
  it('accepts ticks one after another from wherever the page joined', () => {
    const check = createContiguity()
    expect([41, 42, 43].map((n) => check.accept(n))).toEqual(['first', 'next', 'next'])
    expect(check.ok).toBe(true)
  })

  it('flags a jump that no gap explains as a lost tick', () => {
    const check = createContiguity()
    check.accept(1)
    expect(check.accept(3)).toBe('skip')
    expect(check.breaks).toEqual([{ after: 1, got: 3, verdict: 'skip' }])
    expect(check.ok).toBe(false)
  })

  it('flags a repeated or older tick as a duplicate and keeps its place', () => {
    const check = createContiguity()
    check.accept(5)
    expect(check.accept(5)).toBe('duplicate')
    expect(check.accept(6)).toBe('next')
    expect(check.breaks).toEqual([{ after: 5, got: 5, verdict: 'duplicate' }])
  })

  it('accepts one jump right after a gap, and only that one', () => {
    const check = createContiguity()
    check.accept(1)
    check.gap()
    expect(check.accept(9)).toBe('after-gap')
    expect(check.accept(12)).toBe('skip')
    expect(check.breaks).toHaveLength(1)
  })

  it('counts the ticks a told gap skipped, and none for a gap that skipped nothing', () => {
    const check = createContiguity()
    check.accept(1)
    check.gap()
    check.accept(2)
    expect(check.lost).toBe(0)
    check.gap()
    check.accept(9)
    expect(check.lost).toBe(6)
    expect(check.ok).toBe(true)
  })
})

describe('orderOf', () => {
  it('is green only while no tick was skipped, amber after a told gap that skipped some, red after a break', () => {
    const check = createContiguity()
    check.accept(1)
    expect(orderOf(check)).toEqual({ state: 'ok', text: 'yes' })
    check.gap()
    check.accept(2)
    expect(orderOf(check).state).toBe('ok')
    check.gap()
    check.accept(6)
    expect(orderOf(check)).toEqual({ state: 'gap', text: 'gap: 3 lost, app told' })
    check.accept(8)
    expect(orderOf(check)).toEqual({ state: 'broken', text: 'no: skip 6 → 8' })
  })
})
