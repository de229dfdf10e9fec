import { type Summary, summarize } from './stats'

/** One measured quantity of a benchmark, as it is printed. */
export interface Metric {
  key: string
  /** Column heading, with its unit. */
  label: string
  /** Decimals printed. */
  digits: number
  /** Print the ratio of each variant's median to its baseline's. */
  compare: boolean
}

/** One variant of one case, with every metric summarised over its runs. */
export interface Row {
  /** The case the variant ran in (input, setting or fault); ratios stay within a group. */
  group: string
  variant: string
  baseline: boolean
  metrics: Record<string, Summary>
}

/** What one benchmark hands to the runner: its table, notes, and anything else worth keeping. */
export interface BenchResult {
  id: string
  title: string
  metrics: Metric[]
  rows: Row[]
  notes: string[]
  details?: Record<string, unknown>
}

/** Gathers samples per (group, variant, metric) in the order the interleaved runs take them. */
export interface Collector {
  add(group: string, variant: string, values: Record<string, number>): void
  /** The rows grouped by case, in first-seen order; `baselineOf(group)` names the baseline. */
  rows(baselineOf: (group: string) => string | undefined): Row[]
}

/**
 * Creates a collector.
 *
 * @example
 * ```ts
 * const runs = createCollector()
 * runs.add('small', 'lifeline', { eventsPerSecond: 1e6 })
 * runs.rows(() => 'eventsource-parser')
 * ```
 */
export function createCollector(): Collector {
  const samples = new Map<
    string,
    { group: string; variant: string; values: Map<string, number[]> }
  >()
  return {
    add(group, variant, values) {
      const key = `${group}\u0000${variant}`
      let entry = samples.get(key)
      if (entry === undefined) {
        entry = { group, variant, values: new Map() }
        samples.set(key, entry)
      }
      for (const [metric, value] of Object.entries(values)) {
        const list = entry.values.get(metric) ?? []
        list.push(value)
        entry.values.set(metric, list)
      }
    },
    rows(baselineOf) {
      // Grouped by case in the order cases first appeared, variants in their first-seen order.
      const groups = [...new Set([...samples.values()].map((entry) => entry.group))]
      const ordered = [...samples.values()].sort(
        (a, b) => groups.indexOf(a.group) - groups.indexOf(b.group),
      )
      return ordered.map(({ group, variant, values }) => ({
        group,
        variant,
        baseline: baselineOf(group) === variant,
        metrics: Object.fromEntries(
          [...values].map(([metric, list]) => [metric, summarize(list)] as const),
        ),
      }))
    },
  }
}
