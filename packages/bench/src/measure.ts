import { readFileSync } from 'node:fs'

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
 * The peak RSS of this process. Linux keeps `ru_maxrss` (what `resourceUsage().maxRSS`
 * reads) across fork and exec, so a child would report its parent's peak; `VmHWM` in
 * /proc/self/status belongs to this process's own memory map.
 */
function peakRss(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (match !== null) return Number(match[1]) * 1024
  } catch {
    // Not Linux: maxRSS is the best there is.
  }
  // maxRSS is in KiB.
  return process.resourceUsage().maxRSS * 1024
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
        peakRssBytes: peakRss(),
      }
    },
  }
}
