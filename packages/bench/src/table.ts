import type { BenchResult, Row } from './results'
import { ratio } from './stats'

function format(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '–'
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
}

function baselineOf(rows: readonly Row[], group: string): Row | undefined {
  return rows.find((row) => row.group === group && row.baseline)
}

/**
 * A benchmark's result as a Markdown table: per metric the median with [min–max] over the
 * runs, and for compared metrics the ratio of the median to the group's baseline.
 *
 * @example
 * ```ts
 * console.log(renderTable(result))
 * ```
 */
export function renderTable(result: BenchResult): string {
  const head = ['case', 'variant']
  for (const metric of result.metrics) {
    head.push(`${metric.label} median [min–max]`)
    if (metric.compare) head.push('× baseline')
  }
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`]
  for (const row of result.rows) {
    const cells = [row.group, row.baseline ? `${row.variant} (baseline)` : row.variant]
    const base = baselineOf(result.rows, row.group)
    for (const metric of result.metrics) {
      const summary = row.metrics[metric.key]
      cells.push(
        summary === undefined
          ? '–'
          : `${format(summary.median, metric.digits)} [${format(summary.min, metric.digits)}–${format(summary.max, metric.digits)}]`,
      )
      if (!metric.compare) continue
      const baseSummary = base?.metrics[metric.key]
      cells.push(
        summary === undefined || baseSummary === undefined
          ? '–'
          : `${format(ratio(summary, baseSummary), 2)}×`,
      )
    }
    lines.push(`| ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}
