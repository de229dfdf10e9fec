/** What a client process spent on one measured run. */
export interface ClientCost {
  /** Wall-clock seconds from the start of the run to its last event. */
  seconds: number
  /** User + system CPU seconds of this process over the run. */
  cpuSeconds: number
  /** The highest resident set size this process reached, start-up included. */
  peakRssBytes: number
}

/**
 * Starts measuring this process: wall clock and CPU from now, peak RSS since start-up.
 *
 * @example
 * ```ts
 * const run = startMeasure()
 * await receiveAll()
 * process.send?.({ kind: 'result', value: run.stop() })
 * ```
 */
export function startMeasure(): { stop(): ClientCost } {
  const start = performance.now()
  const cpu = process.cpuUsage()
  return {
    stop() {
      const used = process.cpuUsage(cpu)
      return {
        seconds: (performance.now() - start) / 1000,
        cpuSeconds: (used.user + used.system) / 1e6,
        // maxRSS is in KiB.
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
      }
    },
  }
}
