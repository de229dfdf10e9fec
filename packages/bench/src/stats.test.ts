import { describe, expect, it } from 'vitest'
import { ratio, summarize } from './stats'

describe('summarize', () => {
  it.each([
    [[5], 5, 5, 5],
    [[3, 1, 2], 2, 1, 3],
    [[4, 1, 3, 2], 2.5, 1, 4],
    [[7, 7, 7, 7, 7], 7, 7, 7],
    [[10, -2, 8, 1, 0], 1, -2, 10],
  ])('summarises %j as median %d, min %d, max %d', (samples, median, min, max) => {
    expect(summarize(samples)).toEqual({ median, min, max, samples })
  })

  it('keeps the samples in the order they were taken', () => {
    const samples = [3, 1, 2]
    expect(summarize(samples).samples).toEqual([3, 1, 2])
    expect(samples).toEqual([3, 1, 2])
  })

  it('refuses an empty list', () => {
    expect(() => summarize([])).toThrow(RangeError)
  })
})

describe('ratio', () => {
  it('divides the medians, not the means', () => {
    expect(ratio(summarize([90, 1, 95]), summarize([100, 100, 1_000]))).toBeCloseTo(0.9)
  })

  it('is NaN against a zero baseline', () => {
    expect(ratio(summarize([1]), summarize([0]))).toBeNaN()
  })
})
