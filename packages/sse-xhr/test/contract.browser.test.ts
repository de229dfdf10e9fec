import { describeBrowserTransportContract } from '@lifeline/testkit/contract/browser-contract'

describeBrowserTransportContract('sse-xhr', {
  entry: new URL('./contract-page.ts', import.meta.url),
  capabilities: { httpResponse: true },
  knownFailures: {
    // Chromium's responseText has already dropped the stream's one BOM; the shared decoder
    // then drops the second one too, and the first block is dispatched.
    'parsing: strips only one BOM: a second one makes the first line an unknown field':
      'sse-xhr strips a second BOM',
  },
})
