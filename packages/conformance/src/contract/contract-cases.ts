import { parsingCases } from './parsing-cases'
import { transportCases } from './transport-cases'
import type { ContractCase, TransportCapabilities } from './types'

/**
 * Every case of the transport contract: opening, reporting and releasing, then the WHATWG
 * event stream parsing rules (names starting `parsing:`, for `httpResponse` pipes).
 */
export const transportContractCases: readonly ContractCase[] = [...transportCases, ...parsingCases]

/**
 * The cases a transport with these capabilities must pass: those whose `requires` it has.
 *
 * @example
 * ```ts
 * for (const testCase of contractCasesFor({ httpResponse: false })) console.log(testCase.name)
 * ```
 */
export function contractCasesFor(capabilities: TransportCapabilities): ContractCase[] {
  return transportContractCases.filter((c) =>
    (c.requires ?? []).every((capability) => capabilities[capability]),
  )
}
