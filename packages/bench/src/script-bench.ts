import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type BenchResult, createCollector, type Metric } from './results'
import type { BenchSettings } from './settings'

const run = promisify(execFile)

/** The last top-level JSON object a script printed. */
function lastJson(stdout: string): Record<string, unknown> {
  const start = stdout.lastIndexOf('\n{')
  return JSON.parse(stdout.slice(start === -1 ? stdout.indexOf('{') : start + 1))
}

/**
 * Runs a standalone benchmark script of this package (`.out/<id>.mjs`, one that prints its
 * figures as one JSON object) `settings.runs` times and summarises every number it printed.
 * Returns undefined when the script is not there.
 *
 * @example
 * ```ts
 * await scriptBench('server-fanout', 'Server fan-out (SSE)', ['1000', '2000'], settings)
 * ```
 */
export async function scriptBench(
  id: string,
  title: string,
  args: string[],
  settings: BenchSettings,
): Promise<BenchResult | undefined> {
  const script = fileURLToPath(new URL(`./${id}.mjs`, import.meta.url))
  if (!existsSync(script)) return undefined
  const runs = createCollector()
  const group = args.join(' ') || 'defaults'
  let keys: string[] = []
  for (let i = 0; i < settings.runs; i++) {
    const { stdout } = await run(process.execPath, [script, ...args], {
      maxBuffer: 16 * 1_048_576,
      timeout: 600_000,
    })
    const figures = Object.entries(lastJson(stdout)).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    )
    keys = figures.map(([key]) => key)
    runs.add(group, id, Object.fromEntries(figures))
  }
  const metrics: Metric[] = keys.map((key) => ({ key, label: key, digits: 0, compare: false }))
  return {
    id,
    title,
    metrics,
    rows: runs.rows(() => undefined),
    notes: [
      `\`node packages/bench/.out/${id}.mjs ${args.join(' ')}\`, run ${settings.runs} times.`,
    ],
  }
}
