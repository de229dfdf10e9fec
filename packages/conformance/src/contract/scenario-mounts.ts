import { freeLoopbackPort } from './loopback'
import type { ContractScenario, MountedScenario } from './types'

/** A scenario that a server plays: everything but `refused`, where nothing listens. */
export type PlayedScenario = Exclude<ContractScenario, { kind: 'refused' }>

/** The scenarios a contract server has mounted, one path each. */
export interface ScenarioMounts {
  /** Gives `scenario` a path of its own; `requested()` resolves once `arrive(path)` ran. */
  add(scenario: PlayedScenario): { path: string; requested(): Promise<void> }
  /** The scenario at `path`, if any, telling its `requested()` that the request arrived. */
  arrive(path: string): PlayedScenario | undefined
}

/** A path per mounted scenario (`/case/1`, `/case/2`, …) and the moment its request arrived. */
export function scenarioMounts(): ScenarioMounts {
  const scenarios = new Map<string, PlayedScenario>()
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

/** The mount of a `refused` scenario: a URL on 127.0.0.1 where nothing listens. */
export async function mountRefused(): Promise<MountedScenario> {
  const port = await freeLoopbackPort()
  return {
    url: `http://127.0.0.1:${port}/refused`,
    requested: () => new Promise(() => {}),
    received: () => [],
  }
}
