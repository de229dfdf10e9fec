/** Median, min and max of one measurement repeated over several runs. */
export interface Summary {
  median: number
  min: number
  max: number
  /** The samples, in the order they were taken. */
  samples: number[]
}

/**
 * Summarises repeated samples. An even count takes the mean of the two middle samples.
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]) // { median: 2, min: 1, max: 3, samples: [3, 1, 2] }
 * ```
 */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize needs at least one sample')
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return { median, min: sorted[0]!, max: sorted.at(-1)!, samples: [...samples] }
}

/**
 * The ratio of two medians: how a variant compares with its baseline (above 1: more of the
 * metric than the baseline). `NaN` when the baseline median is 0.
 *
 * @example
 * ```ts
 * ratio(summarize([90, 91]), summarize([100, 99])) // ≈ 0.9
 * ```
 */
export function ratio(value: Summary, baseline: Summary): number {
  return baseline.median === 0 ? Number.NaN : value.median / baseline.median
}
