import { describeTransportContract } from '@lifeline/conformance'
import { longPoll } from '../src/index'

describeTransportContract('long-poll', () => longPoll(), { capabilities: { httpResponse: true } })
