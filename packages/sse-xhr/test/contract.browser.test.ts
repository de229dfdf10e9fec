import { describeBrowserAdapterContract } from '@lifeline/testkit/contract/browser-contract'
import { startSseContractServer } from '@lifeline/testkit/contract/sse-server'

describeBrowserAdapterContract('sse-xhr', {
  entry: new URL('./contract-page.ts', import.meta.url),
  server: startSseContractServer,
  capabilities: { httpResponse: true },
})
