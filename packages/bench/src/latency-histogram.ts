/** Width of one bucket, in ms: fine enough for loopback latencies of a fraction of a ms. */
export const BUCKET_MS = 0.05
/** Latencies at or past this many ms share the last bucket. */
export const MAX_MS = 10_000

const BUCKETS = Math.ceil(MAX_MS / BUCKET_MS) + 1

/**
 * Delivery latencies counted in fixed buckets, so a subscriber process can record a million
 * samples in constant memory and the runner can merge the counts of many processes.
 */
export interface LatencyHistogram {
  readonly counts: Uint32Array
  /** Samples recorded so far. */
  readonly total: number
  record(ms: number): void
  /** Adds another histogram's counts (from another process) to this one. */
  merge(counts: Uint32Array): void
  /** The latency at or below which a share `p` (0 to 1) of the samples fall; NaN if empty. */
  percentile(p: number): number
  reset(): void
}

/**
 * Creates an empty histogram.
 *
 * @example
 * ```ts
 * const latency = createLatencyHistogram()
 * latency.record(1.2)
 * latency.percentile(0.99) // 1.2 (rounded up to the bucket's upper edge)
 * ```
 */
export function createLatencyHistogram(): LatencyHistogram {
  const counts = new Uint32Array(BUCKETS)
  let total = 0
  return {
    counts,
    get total() {
      return total
    },
    record(ms) {
      // Clocks of two processes can disagree by a hair: a negative latency is a zero one.
      const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms / BUCKET_MS)))
      counts[bucket]!++
      total++
    },
    merge(other) {
      for (let i = 0; i < BUCKETS; i++) {
        const n = other[i] ?? 0
        counts[i]! += n
        total += n
      }
    },
    percentile(p) {
      if (total === 0) return Number.NaN
      // The rank of the sample that makes the share reach p, counted from 1.
      const rank = Math.max(1, Math.ceil(p * total))
      let seen = 0
      for (let i = 0; i < BUCKETS; i++) {
        seen += counts[i]!
        // The upper edge of the bucket: a percentile never understates the latency.
        if (seen >= rank) return Math.min(MAX_MS, (i + 1) * BUCKET_MS)
      }
      return MAX_MS
    },
    reset() {
      counts.fill(0)
      total = 0
    },
  }
}
