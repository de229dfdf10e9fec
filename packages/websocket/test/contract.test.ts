import { describeAdapterContract } from '@lifeline/testkit/contract/adapter-contract'
import { websocket } from '../src/index'
import { startWebSocketContractServer } from './contract-server'

// A WebSocket has no HTTP response to read before the stream: a refused upgrade is an http
// reason only with ws in Node (tested in websocket.test.ts), never in a browser.
describeAdapterContract('websocket', {
  transport: () => websocket(),
  server: startWebSocketContractServer,
  capabilities: { httpResponse: false },
})
