import { refusedUrl } from '../wire/chunk-server'
import type { ContractScenario, MountedScenario } from './cases'

/** A scenario that a server plays: everything but `refused`, where nothing listens. */
export type PlayedScenario = Exclude<ContractScenario, { kind: 'refused' }>

/** The scenarios a contract server has mounted, one path each. */
export interface ScenarioMounts<S extends PlayedScenario> {
  /** Gives `scenario` a path of its own; `requested()` resolves once `arrive(path)` ran. */
  add(scenario: S): { path: string; requested(): Promise<void> }
  /** The scenario at `path`, if any, telling its `requested()` that the request arrived. */
  arrive(path: string): S | undefined
}

/**
 * The bookkeeping every pipe's {@link ContractServer} shares: a path per mounted scenario
 * (`/case/1`, `/case/2`, …) and the moment its request arrived.
 *
 * @example
 * ```ts
 * const mounts = scenarioMounts<PlayedScenario>()
 * const server = await startChunkServer((request) => reply(mounts.arrive(request.path)))
 * const { path, requested } = mounts.add(scenario)
 * ```
 */
export function scenarioMounts<S extends PlayedScenario>(): ScenarioMounts<S> {
  const scenarios = new Map<string, S>()
  const arrivals = new Map<string, () => void>()
  let next = 0
  return {
    add(scenario) {
      next += 1
      const path = `/case/${next}`
      scenarios.set(path, scenario)
      const arrived = new Promise<void>((resolve) => arrivals.set(path, resolve))
      return { path, requested: () => arrived }
    },
    arrive(path) {
      arrivals.get(path)?.()
      return scenarios.get(path)
    },
  }
}

/**
 * The mount of a `refused` scenario, the same for every pipe: a URL on 127.0.0.1 where
 * nothing listens, whose request therefore never arrives.
 */
export async function mountRefused(): Promise<MountedScenario> {
  const url = await refusedUrl('/refused')
  return { url: url.href, requested: () => new Promise(() => {}), received: () => [] }
}
