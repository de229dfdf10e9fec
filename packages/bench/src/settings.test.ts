import { describe, expect, it } from 'vitest'
import { readSettings, scaled } from './settings'

describe('readSettings', () => {
  it('defaults to full size, five runs, every benchmark', () => {
    expect(readSettings({})).toEqual({ scale: 1, runs: 5, only: undefined })
  })

  it('reads scale, runs and the benchmarks picked', () => {
    expect(
      readSettings({
        LIFELINE_BENCH_SCALE: '0.05',
        LIFELINE_BENCH_RUNS: '7',
        LIFELINE_BENCH_ONLY: 'decode, sse',
      }),
    ).toEqual({ scale: 0.05, runs: 7, only: ['decode', 'sse'] })
  })

  it.each(['0', '-1', 'many'])('refuses a scale of %j', (value) => {
    expect(() => readSettings({ LIFELINE_BENCH_SCALE: value })).toThrow(RangeError)
  })
})

describe('scaled', () => {
  it('scales a count and keeps it at least at the minimum', () => {
    const quick = readSettings({ LIFELINE_BENCH_SCALE: '0.05' })
    expect(scaled(200_000, quick)).toBe(10_000)
    expect(scaled(10, quick, 5)).toBe(5)
  })
})
