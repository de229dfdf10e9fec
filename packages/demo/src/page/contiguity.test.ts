import { describe, expect, it } from 'vitest'
import { createContiguity } from './contiguity'

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
})
