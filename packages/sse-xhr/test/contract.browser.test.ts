import { describeBrowserTransportContract } from '@lifeline/testkit/contract/browser-contract'

describeBrowserTransportContract('sse-xhr', {
  entry: new URL('./contract-page.ts', import.meta.url),
  capabilities: { httpResponse: true },
})
