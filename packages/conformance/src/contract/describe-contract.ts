import type { Transport } from '@lifeline/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_WAIT_MS } from '../wait'
import { contractCasesFor } from './contract-cases'
import { startContractServer } from './contract-server'
import { contractRecords, contractViolations } from './records'
import { runContractCase } from './run-case'
import type { ContractServer, TransportCapabilities } from './types'

/**
 * Options of {@link describeTransportContract}.
 *
 * @example
 * ```ts
 * describeTransportContract('my-sse', () => mySse(), { capabilities: { httpResponse: true } })
 * ```
 */
export interface TransportContractOptions {
  /** What the pipe can express; cases needing more are not registered. */
  capabilities: TransportCapabilities
  /**
   * The bound of each wait in a case (the request, `opened()`, `closed()`) and of the
   * server's drain after it, in ms. Default 5,000.
   */
  timeoutMs?: number
}

/**
 * Registers the transport contract as a vitest suite (vitest is a peer dependency): one
 * test per case, each opening a fresh transport from `factory` against a server the suite
 * starts on 127.0.0.1 and stops afterwards. A test compares the sink calls with the case,
 * checks the rules every recording keeps (one `closed()`, last; `opened()` first;
 * `activity()` before data), and proves the server holds no connection afterwards. The
 * same server answers SSE, long-poll and WebSocket requests, so any pipe runs as it is.
 *
 * @example
 * ```ts
 * // test/contract.test.ts
 * import { describeTransportContract } from '@lifeline/conformance'
 * import { sseFetch } from '@lifeline/sse-fetch'
 *
 * describeTransportContract('sse-fetch', () => sseFetch(), { capabilities: { httpResponse: true } })
 * ```
 */
export function describeTransportContract(
  name: string,
  factory: () => Transport,
  options: TransportContractOptions,
): void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS
  describe(`transport contract: ${name}`, () => {
    let server: ContractServer | undefined
    beforeAll(async () => {
      server = await startContractServer()
    })
    afterAll(async () => {
      await server?.close()
    })

    it('has a name', () => {
      const { name: transportName } = factory()
      expect(typeof transportName).toBe('string')
      expect(transportName).not.toBe('')
    })

    for (const testCase of contractCasesFor(options.capabilities)) {
      it(testCase.name, async () => {
        if (server === undefined) throw new Error('the contract server did not start')
        const mounted = await server.mount(testCase.scenario)
        const records = await runContractCase(testCase, factory(), mounted, timeoutMs)
        expect(contractRecords(records)).toEqual(testCase.records)
        if (testCase.received !== undefined) expect(mounted.received()).toEqual(testCase.received)
        // Every path releases the connection: the server sees it closed.
        await server.drained(timeoutMs)
        expect(server.openConnections()).toBe(0)
        // Checked after the drain, so a stray call after closed() is caught too.
        expect(contractViolations(records)).toEqual([])
      })
    }
  })
}
