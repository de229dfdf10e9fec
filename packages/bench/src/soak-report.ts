/** One process's memory after two forced collections, in bytes. */
export interface Memory {
  /**
   * V8 heap in use plus memory outside it (buffers, sockets' native objects), without the
   * compiled code: what a leak would grow.
   */
  heapBytes: number
  /** Compiled code, which V8 adds to while it optimises more paths: it holds no data. */
  codeBytes: number
  rssBytes: number
}

/** One row of the soak: both processes' memory and the client's progress at a minute. */
export interface SoakSample {
  minute: number
  client: Memory
  server: Memory
  /** Events the server published so far. */
  published: number
  /** Distinct events the client delivered so far. */
  delivered: number
  /** Faults the schedule injected so far. */
  faults: number
  /** Client state changes to `reconnecting` so far. */
  reconnects: number
  /** Transport switches so far (fallbacks and upgrades). */
  switches: number
}

/** Least-squares slope of `values` over `minutes`, per minute; 0 for fewer than two points. */
export function slopePerMinute(minutes: readonly number[], values: readonly number[]): number {
  const n = Math.min(minutes.length, values.length)
  if (n < 2) return 0
  const meanX = minutes.slice(0, n).reduce((sum, x) => sum + x, 0) / n
  const meanY = values.slice(0, n).reduce((sum, y) => sum + y, 0) / n
  let covariance = 0
  let variance = 0
  for (let i = 0; i < n; i++) {
    covariance += (minutes[i]! - meanX) * (values[i]! - meanY)
    variance += (minutes[i]! - meanX) ** 2
  }
  return variance === 0 ? 0 : covariance / variance
}

/** Whether a memory curve is flat, and the figures that say so. */
export interface Flatness {
  /** Heap growth per minute over the samples after the warm-up, by least squares. */
  slopeBytesPerMinute: number
  /** Last heap sample minus the first after the warm-up. */
  growthBytes: number
  flat: boolean
}

/**
 * Judges a heap curve after `warmupMinutes` (while the event log fills up to its capacity
 * the server's heap grows by design): flat when it grows by at most `maxSlope` bytes a
 * minute. With fewer than three samples after the warm-up nothing can be said: not flat.
 *
 * @example
 * ```ts
 * flatness(samples.map((s) => s.minute), samples.map((s) => s.server.heapBytes), 1, 64 * 1024)
 * ```
 */
export function flatness(
  minutes: readonly number[],
  heapBytes: readonly number[],
  warmupMinutes: number,
  maxSlope: number,
): Flatness {
  const from = minutes.findIndex((minute) => minute >= warmupMinutes)
  const xs = from === -1 ? [] : minutes.slice(from)
  const ys = from === -1 ? [] : heapBytes.slice(from)
  const slopeBytesPerMinute = slopePerMinute(xs, ys)
  const growthBytes = ys.length === 0 ? 0 : ys.at(-1)! - ys[0]!
  return {
    slopeBytesPerMinute,
    growthBytes,
    flat: ys.length >= 3 && slopeBytesPerMinute <= maxSlope,
  }
}

const mib = (bytes: number) => (bytes / 1_048_576).toFixed(1)

/**
 * The samples as a Markdown table, one row a minute.
 *
 * @example
 * ```ts
 * console.log(renderSamples(samples))
 * ```
 */
export function renderSamples(samples: readonly SoakSample[]): string {
  const lines = [
    '| minute | client heap MiB | client RSS MiB | server heap MiB | server RSS MiB | published | delivered | faults | reconnects | switches |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const s of samples)
    lines.push(
      `| ${s.minute} | ${mib(s.client.heapBytes)} | ${mib(s.client.rssBytes)} | ${mib(s.server.heapBytes)} | ${mib(s.server.rssBytes)} | ${s.published.toLocaleString('en-US')} | ${s.delivered.toLocaleString('en-US')} | ${s.faults} | ${s.reconnects} | ${s.switches} |`,
    )
  return lines.join('\n')
}
