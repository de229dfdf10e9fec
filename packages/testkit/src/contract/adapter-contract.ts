import type { Transport } from '@lifeline/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AdapterCapabilities,
  adapterContractCases,
  type ContractServer,
  contractRecords,
  contractViolations,
} from './cases'
import { runContractCase } from './run-case'

/** How {@link describeAdapterContract} reaches the adapter under test and its server side. */
export interface AdapterContractOptions {
  /** A fresh transport for every case. */
  transport: () => Transport
  /** Starts the server side of this pipe, e.g. `startSseContractServer`. */
  server: () => Promise<ContractServer>
  /** What the pipe can express; cases needing more are not registered. */
  capabilities: AdapterCapabilities
}

/**
 * The one suite every adapter runs (as crossws runs one suite against every runtime):
 * for each case of `adapterContractCases` it opens the transport against the server side,
 * compares the sink calls, checks the rules every recording keeps, and proves the server
 * holds no connection afterwards.
 *
 * @example
 * ```ts
 * describeAdapterContract('sse-fetch', {
 *   transport: () => sseFetch(),
 *   server: startSseContractServer,
 *   capabilities: { httpResponse: true },
 * })
 * ```
 */
export function describeAdapterContract(name: string, options: AdapterContractOptions): void {
  describe(`adapter contract: ${name}`, () => {
    let server: ContractServer
    beforeAll(async () => {
      server = await options.server()
    })
    afterAll(async () => {
      await server.close()
    })

    const cases = adapterContractCases.filter((c) =>
      (c.requires ?? []).every((capability) => options.capabilities[capability]),
    )
    for (const testCase of cases) {
      it(testCase.name, async () => {
        const mounted = await server.mount(testCase.scenario)
        const records = await runContractCase(testCase, options.transport(), mounted)
        expect(contractRecords(records)).toEqual(testCase.records)
        if (testCase.received !== undefined) expect(mounted.received()).toEqual(testCase.received)
        // Every path releases the connection: the server sees it closed.
        await server.drained()
        expect(server.openConnections()).toBe(0)
        // Checked after the drain, so a stray call after closed() is caught too.
        expect(contractViolations(records)).toEqual([])
      })
    }
  })
}
