import { sseXhr } from '@lifeline/sse-xhr'
import { contractPage } from '@lifeline/testkit/contract/browser-contract-page'

// Runs in Chromium: the contract cases open sse-xhr here, one fresh transport each.
export const { runCase, violations } = contractPage(() => sseXhr())
