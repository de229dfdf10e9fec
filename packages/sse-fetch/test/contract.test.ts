import { describeTransportContract } from '@lifeline/conformance'
import { sseFetch } from '../src/index'

describeTransportContract('sse-fetch', () => sseFetch(), { capabilities: { httpResponse: true } })
