import { ID_PATTERN } from './blocks'
import { fail } from './expect'
import type { CheckOptions } from './options'
import { restartChecks } from './restart-checks'
import { type Check, createRun } from './run'
import { sseChecks } from './sse-checks'
import { wsChecks } from './ws-checks'

/** How one check went. */
export interface CheckResult {
  name: string
  passed: boolean
  /** Why it failed. */
  reason?: string
}

const idCheck: Check = {
  name: 'ids are 1 to 64 characters of [A-Za-z0-9._:-]',
  async run(run) {
    const bad = new Set<string>()
    for (const session of run.sessions)
      for (const item of session.items)
        if (item.kind === 'block' && item.id !== undefined && !ID_PATTERN.test(item.id))
          bad.add(item.id)
    if (bad.size > 0)
      fail(
        `not header-safe: ${[...bad]
          .slice(0, 3)
          .map((id) => JSON.stringify(id))
          .join(', ')}`,
      )
    if (!run.sessions.some((s) => s.items.some((item) => item.kind === 'block' && item.id)))
      fail('no id arrived to look at')
  },
}

/** The checks these options ask for, in the order they run. */
export function plannedChecks(options: CheckOptions): Check[] {
  return [
    ...sseChecks(options),
    ...(options.ws === undefined ? [] : wsChecks(options)),
    ...(options.restart === undefined ? [] : restartChecks(options, options.restart)),
    idCheck,
  ]
}

/**
 * Runs every planned check in order against the server, reporting each result as it comes,
 * and closes every connection it opened.
 */
export async function runChecks(
  options: CheckOptions,
  report: (result: CheckResult) => void,
): Promise<CheckResult[]> {
  const run = createRun(options)
  const results: CheckResult[] = []
  try {
    for (const check of plannedChecks(options)) {
      let result: CheckResult
      try {
        await check.run(run)
        result = { name: check.name, passed: true }
      } catch (error) {
        result = { name: check.name, passed: false, reason: (error as Error).message }
      }
      results.push(result)
      report(result)
    }
  } finally {
    run.closeAll()
  }
  return results
}
