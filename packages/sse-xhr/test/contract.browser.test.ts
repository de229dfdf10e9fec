import { startSseContractServer } from '@lifeline/testkit/adapter-contract-sse-server'
import { describeBrowserAdapterContract } from '@lifeline/testkit/browser-contract'

describeBrowserAdapterContract('sse-xhr', {
  entry: new URL('./contract-page.ts', import.meta.url),
  server: startSseContractServer,
  capabilities: { httpResponse: true },
})
