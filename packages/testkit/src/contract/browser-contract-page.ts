import {
  type ContractCase,
  type ContractRecord,
  contractRecords,
  contractViolations,
  runContractCase,
  type SinkRecord,
} from '@lifeline/conformance/cases'
import type { Transport } from '@lifeline/core'

/** The binding the Node side exposes: resolves once the server got the current request. */
export const REQUESTED_BINDING = '__lifelineContractRequested'

/** The page side of {@link describeBrowserTransportContract}: export both from the entry. */
export interface ContractPage {
  /** Runs one case against `url` in the page; resolves with its records (no activity). */
  runCase(testCase: ContractCase, url: string): Promise<ContractRecord[]>
  /** The rules the last case's recording broke, checked again after the server drained. */
  violations(): string[]
}

/**
 * Builds the functions a contract page exports for one transport: the published cases of
 * `@lifeline/conformance`, run in the browser.
 *
 * @example
 * ```ts
 * // contract-page.ts, bundled for the page
 * export const { runCase, violations } = contractPage(() => sseXhr())
 * ```
 */
export function contractPage(transport: () => Transport): ContractPage {
  let last: readonly SinkRecord[] = []
  const requested = () => {
    const binding = (globalThis as unknown as Record<string, () => Promise<void>>)[
      REQUESTED_BINDING
    ]
    if (binding === undefined) throw new Error(`${REQUESTED_BINDING} is not exposed`)
    return binding()
  }
  return {
    async runCase(testCase, url) {
      last = await runContractCase(testCase, transport(), { url, requested })
      return contractRecords(last)
    },
    violations: () => contractViolations(last),
  }
}
