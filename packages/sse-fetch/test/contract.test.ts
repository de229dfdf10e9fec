import { describeAdapterContract } from '@lifeline/testkit/adapter-contract'
import { startSseContractServer } from '@lifeline/testkit/adapter-contract-sse-server'
import { sseFetch } from '../src/index'

describeAdapterContract('sse-fetch', {
  transport: () => sseFetch(),
  server: startSseContractServer,
  capabilities: { httpResponse: true },
})
