import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BROWSER_DRAIN_MS,
  type BrowserHarness,
  type BrowserPage,
  launchBrowser,
} from '../browser/harness'
import { forwardTo } from '../browser/same-origin-proxy'
import { type ContractPage, REQUESTED_BINDING } from './browser-contract-page'
import {
  type AdapterCapabilities,
  adapterContractCases,
  type ContractServer,
  type MountedScenario,
} from './cases'

/** How {@link describeBrowserAdapterContract} runs the contract for one adapter. */
export interface BrowserAdapterContractOptions {
  /** A page module exporting `runCase` and `violations` from `contractPage(...)`. */
  entry: URL
  /** The pipe's server side in Node, e.g. `startSseContractServer`. */
  server: () => Promise<ContractServer>
  capabilities: AdapterCapabilities
}

type ContractPageModule = {
  runCase: ContractPage['runCase']
  violations: ContractPage['violations']
}

/**
 * The shared adapter contract suite, with the transport in Chromium and the server side in
 * Node: the page reaches the contract server through a same-origin forwarder, so a
 * browser adapter needs no CORS. Same cases, same checks as `describeAdapterContract`.
 *
 * @example
 * ```ts
 * describeBrowserAdapterContract('sse-xhr', {
 *   entry: new URL('./contract-page.ts', import.meta.url),
 *   server: startSseContractServer,
 *   capabilities: { httpResponse: true },
 * })
 * ```
 */
export function describeBrowserAdapterContract(
  name: string,
  options: BrowserAdapterContractOptions,
): void {
  describe(`adapter contract in Chromium: ${name}`, () => {
    let browser: BrowserHarness
    let server: ContractServer
    let app: BrowserPage<ContractPageModule>
    let upstream = ''
    let mounted: MountedScenario | undefined
    beforeAll(async () => {
      server = await options.server()
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

    const cases = adapterContractCases.filter((c) =>
      (c.requires ?? []).every((capability) => options.capabilities[capability]),
    )
    for (const testCase of cases) {
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
