import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPrng } from '../doubles/prng'
import { assertFault, describeFault, type Fault, randomFault } from './faults'

describe('randomFault', () => {
  it('draws the same faults, parameters included, from the same seed', () => {
    const draw = (seed: number) => {
      const random = createPrng(seed)
      return Array.from({ length: 50 }, () => randomFault(random))
    }
    expect(draw(11)).toEqual(draw(11))
    expect(draw(11)).not.toEqual(draw(12))
  })

  it('draws every default kind, each one valid and within its bounds', () => {
    const random = createPrng(5)
    const faults = Array.from({ length: 300 }, () => randomFault(random))
    expect(new Set(faults.map((f) => f.kind))).toEqual(
      new Set(['cut', 'stall', 'latency', 'throttle', 'buffer']),
    )
    for (const fault of faults) expect(() => assertFault(fault)).not.toThrow()
  })

  it('keeps to the kinds and ranges it is given', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const fault = randomFault(createPrng(seed), {
          kinds: ['latency', 'cut'],
          latencyMs: [10, 20],
          cutAfterBytes: [1, 5],
        })
        if (fault.kind === 'latency') return fault.ms >= 10 && fault.ms <= 20
        if (fault.kind === 'cut')
          return (fault.afterBytes ?? 0) >= 1 && (fault.afterBytes ?? 0) <= 5
        return false
      }),
    )
  })
})

describe('assertFault', () => {
  it.each<[string, Fault]>([
    ['a negative cut offset', { kind: 'cut', mode: 'rst', afterBytes: -1 }],
    ['a fractional cut offset', { kind: 'cut', mode: 'fin', afterBytes: 1.5 }],
    ['a negative latency', { kind: 'latency', ms: -5 }],
    ['an infinite latency', { kind: 'latency', ms: Number.POSITIVE_INFINITY }],
    ['a zero bandwidth', { kind: 'throttle', bytesPerSecond: 0 }],
    ['a zero buffer block', { kind: 'buffer', untilBytes: 0 }],
    ['a status below 100', { kind: 'status', status: 42 }],
    ['a status above 599', { kind: 'status', status: 600 }],
  ])('rejects %s', (_, fault) => {
    expect(() => assertFault(fault)).toThrow(RangeError)
  })
})

describe('describeFault', () => {
  it.each<[Fault, string]>([
    [{ kind: 'pass' }, 'pass'],
    [{ kind: 'cut', mode: 'rst' }, 'cut rst'],
    [{ kind: 'cut', mode: 'fin', afterBytes: 10 }, 'cut fin after 10 B'],
    [{ kind: 'stall' }, 'stall both'],
    [{ kind: 'stall', direction: 'downstream' }, 'stall downstream'],
    [{ kind: 'latency', ms: 50 }, 'latency 50 ms'],
    [{ kind: 'throttle', bytesPerSecond: 1024 }, 'throttle 1024 B/s'],
    [{ kind: 'buffer' }, 'buffer until close'],
    [
      { kind: 'buffer', holdHeaders: true, untilBytes: 4096 },
      'buffer with headers in 4096 B blocks',
    ],
    [{ kind: 'status', status: 502 }, 'status 502'],
  ])('describes %o as %s', (fault, text) => {
    expect(describeFault(fault)).toBe(text)
  })
})
