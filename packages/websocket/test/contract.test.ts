import { describeTransportContract } from '@lifeline/conformance'
import { websocket } from '../src/index'

// A WebSocket has no HTTP response to read before the stream: a refused upgrade is an http
// reason only with ws in Node (tested in websocket.test.ts), never in a browser.
describeTransportContract('websocket', () => websocket(), { capabilities: { httpResponse: false } })
