import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPrng, mulberry32 } from './prng'

describe('createPrng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) => {
      const random = createPrng(seed)
      return Array.from({ length: 20 }, () => random.next())
    }
    expect(draw(7)).toEqual(draw(7))
    expect(draw(7)).not.toEqual(draw(8))
  })

  it('is mulberry32, so a printed seed replays on any machine', () => {
    expect(mulberry32(42)()).toBe(0.6011037519201636)
    expect(createPrng(42).next()).toBe(0.6011037519201636)
  })

  it('keeps next() in [0, 1) and int() within its inclusive bounds', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -1_000, max: 1_000 }),
        fc.nat(1_000),
        (seed, min, span) => {
          const random = createPrng(seed)
          const value = random.next()
          const n = random.int(min, min + span)
          return value >= 0 && value < 1 && Number.isInteger(n) && n >= min && n <= min + span
        },
      ),
    )
  })

  it('reaches both ends of an int() range and every item of pick()', () => {
    const random = createPrng(3)
    const ints = new Set(Array.from({ length: 200 }, () => random.int(1, 3)))
    const picks = new Set(Array.from({ length: 200 }, () => random.pick(['a', 'b', 'c'])))
    expect([...ints].sort()).toEqual([1, 2, 3])
    expect([...picks].sort()).toEqual(['a', 'b', 'c'])
  })

  it('rejects a seed that is not an integer and ranges that make no sense', () => {
    expect(() => createPrng(1.5)).toThrow(RangeError)
    expect(() => createPrng(1).int(3, 2)).toThrow(RangeError)
    expect(() => createPrng(1).pick([])).toThrow(RangeError)
  })
})
