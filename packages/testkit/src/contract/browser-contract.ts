import {
  type MountedScenario,
  startContractServer,
  type TransportCapabilities,
} from '@lifeline/conformance'
import { contractCasesFor } from '@lifeline/conformance/cases'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BROWSER_DRAIN_MS,
  type BrowserHarness,
  type BrowserPage,
  launchBrowser,
} from '../browser/harness'
import { forwardTo } from '../browser/same-origin-proxy'
import { type ContractPage, REQUESTED_BINDING } from './browser-contract-page'

/** How {@link describeBrowserTransportContract} runs the contract for one transport. */
export interface BrowserTransportContractOptions {
  /** A page module exporting `runCase` and `violations` from `contractPage(...)`. */
  entry: URL
  capabilities: TransportCapabilities
}

type ContractPageModule = {
  runCase: ContractPage['runCase']
  violations: ContractPage['violations']
}

/**
 * `describeTransportContract` of `@lifeline/conformance` with the transport in Chromium:
 * the same published cases and checks, the contract server in Node, reached from the page
 * through a same-origin forwarder, so a browser transport needs no CORS.
 *
 * @example
 * ```ts
 * describeBrowserTransportContract('sse-xhr', {
 *   entry: new URL('./contract-page.ts', import.meta.url),
 *   capabilities: { httpResponse: true },
 * })
 * ```
 */
export function describeBrowserTransportContract(
  name: string,
  options: BrowserTransportContractOptions,
): void {
  describe(`transport contract in Chromium: ${name}`, () => {
    let browser: BrowserHarness
    let server: Awaited<ReturnType<typeof startContractServer>>
    let app: BrowserPage<ContractPageModule>
    let upstream = ''
    let mounted: MountedScenario | undefined
    beforeAll(async () => {
      server = await startContractServer()
      browser = await launchBrowser()
      app = await browser.open<ContractPageModule>({
        entry: options.entry,
        // Chromium holds an XHR response typed text/plain (or untyped) back until 512 bytes
        // or the end of its body arrive, to sniff it; the cases hold such bodies open.
        handler: forwardTo(() => upstream, {
          responseHeaders: { 'x-content-type-options': 'nosniff' },
        }),
      })
      await app.page.exposeFunction(REQUESTED_BINDING, () => mounted?.requested())
    })
    afterAll(async () => {
      await browser?.close()
      await server?.close()
    })

    for (const testCase of contractCasesFor(options.capabilities)) {
      it(testCase.name, async () => {
        mounted = await server.mount(testCase.scenario)
        const target = new URL(mounted.url)
        // Nothing listens at a refused URL on any origin: hand it to the page as it is.
        let url = target.href
        if (testCase.scenario.kind !== 'refused') {
          upstream = target.origin
          url = app.url(target.pathname + target.search)
        }
        expect(await app.call('runCase', testCase, url)).toEqual(testCase.records)
        if (testCase.received !== undefined) expect(mounted.received()).toEqual(testCase.received)
        await server.drained(BROWSER_DRAIN_MS)
        expect(server.openConnections()).toBe(0)
        expect(await app.call('violations')).toEqual([])
      })
    }
  })
}
