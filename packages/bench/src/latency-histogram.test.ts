import { describe, expect, it } from 'vitest'
import { BUCKET_MS, createLatencyHistogram, MAX_MS } from './latency-histogram'

describe('createLatencyHistogram', () => {
  it('reports percentiles at the upper edge of the bucket that reaches the rank', () => {
    const latency = createLatencyHistogram()
    for (let ms = 1; ms <= 100; ms++) latency.record(ms - 0.01)
    expect(latency.total).toBe(100)
    expect(latency.percentile(0.5)).toBeCloseTo(50, 5)
    expect(latency.percentile(0.99)).toBeCloseTo(99, 5)
    expect(latency.percentile(1)).toBeCloseTo(100, 5)
  })

  it('merges the counts of another histogram', () => {
    const a = createLatencyHistogram()
    const b = createLatencyHistogram()
    a.record(1)
    b.record(3)
    b.record(3)
    a.merge(b.counts)
    expect(a.total).toBe(3)
    expect(a.percentile(0.5)).toBeCloseTo(3 + BUCKET_MS, 5)
  })

  it('clamps negative latencies to the first bucket and huge ones to the last', () => {
    const latency = createLatencyHistogram()
    latency.record(-0.3)
    latency.record(MAX_MS * 10)
    expect(latency.percentile(0.5)).toBeCloseTo(BUCKET_MS, 5)
    expect(latency.percentile(1)).toBe(MAX_MS)
  })

  it('is NaN when empty, also after a reset', () => {
    const latency = createLatencyHistogram()
    expect(latency.percentile(0.5)).toBeNaN()
    latency.record(2)
    latency.reset()
    expect(latency.total).toBe(0)
    expect(latency.percentile(0.5)).toBeNaN()
  })
})
