import { describeAdapterContract } from '@lifeline/testkit/contract/adapter-contract'
import { startSseContractServer } from '@lifeline/testkit/contract/sse-server'
import { sseFetch } from '../src/index'

describeAdapterContract('sse-fetch', {
  transport: () => sseFetch(),
  server: startSseContractServer,
  capabilities: { httpResponse: true },
})
