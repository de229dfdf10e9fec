import { getHeapSpaceStatistics } from 'node:v8'

/** A process's memory once garbage is gone, in bytes. */
export interface SettledMemory {
  rss: number
  /** V8 heap in use plus memory outside it (`external`, array buffers included). */
  heap: number
  /**
   * Of `heap`, the compiled code: V8 keeps adding to it while it optimises more paths of a
   * long run, which holds no data, so a leak shows in `heap - code`.
   */
  code: number
}

/**
 * Collects garbage twice, with a pause for finalisers between, then reads the memory, so
 * what is left is what the process holds. The process must run with `--expose-gc`.
 *
 * @example
 * ```ts
 * const { heap } = await settledMemory()
 * ```
 */
export async function settledMemory(): Promise<SettledMemory> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with --expose-gc')
  // Twice with a pause between: finalisers of the first pass free more in the second.
  gc()
  await new Promise((resolve) => setTimeout(resolve, 200))
  gc()
  const { rss, heapUsed, external } = process.memoryUsage()
  let code = 0
  for (const space of getHeapSpaceStatistics())
    if (space.space_name.startsWith('code_')) code += space.space_used_size
  return { rss, heap: heapUsed + external, code }
}
