import { describe, expect, it } from 'vitest'
import { flatness, renderSamples, slopePerMinute } from './soak-report'

const minutes = [0, 1, 2, 3, 4, 5, 6]

describe('soak report', () => {
  it('fits the slope of a line exactly, and of too few points as 0', () => {
    expect(
      slopePerMinute(
        minutes,
        minutes.map((m) => 1_000 + 500 * m),
      ),
    ).toBeCloseTo(500)
    expect(slopePerMinute([3], [7])).toBe(0)
    expect(slopePerMinute([2, 2], [1, 9])).toBe(0)
  })

  it('calls a curve flat after the warm-up though it grew before, and a steady climb not flat', () => {
    const filling = [1, 9, 10, 10, 10, 10, 10].map((mb) => mb * 1_048_576)
    expect(flatness(minutes, filling, 2, 64 * 1024)).toMatchObject({ flat: true, growthBytes: 0 })
    const leaking = minutes.map((m) => 10_000_000 + 200_000 * m)
    const verdict = flatness(minutes, leaking, 2, 64 * 1024)
    expect(verdict.flat).toBe(false)
    expect(verdict.slopeBytesPerMinute).toBeCloseTo(200_000)
    expect(verdict.growthBytes).toBe(800_000)
  })

  it('says nothing is flat with fewer than three samples after the warm-up', () => {
    expect(flatness([0, 1, 2], [1, 1, 1], 2, 64 * 1024).flat).toBe(false)
  })

  it('renders one row a minute, in MiB', () => {
    const memory = { heapBytes: 10 * 1_048_576, codeBytes: 2 * 1_048_576, rssBytes: 60 * 1_048_576 }
    const table = renderSamples([
      {
        minute: 1,
        client: memory,
        server: memory,
        published: 12_000,
        delivered: 11_990,
        faults: 17,
        reconnects: 9,
        switches: 2,
      },
    ])
    expect(table.split('\n')).toHaveLength(3)
    expect(table).toContain('| 1 | 10.0 | 60.0 | 10.0 | 60.0 | 12,000 | 11,990 | 17 | 9 | 2 |')
  })
})
