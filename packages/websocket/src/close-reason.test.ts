import { describe, expect, it } from 'vitest'
import { closeReason, errorReason } from './close-reason'

describe('closeReason', () => {
  it.each([
    [1000, '', { kind: 'ended' }],
    [1001, '', { kind: 'ended' }],
    [1005, '', { kind: 'ended' }],
    [1012, '', { kind: 'ended' }],
    [1006, '', { kind: 'network' }],
    [1015, '', { kind: 'network' }],
    [1009, '', { kind: 'protocol', message: 'WebSocket closed with code 1009 (message too big)' }],
    [1011, '', { kind: 'protocol', message: 'WebSocket closed with code 1011 (internal error)' }],
    [4000, 'busy', { kind: 'protocol', message: 'WebSocket closed with code 4000 (busy)' }],
  ])('maps code %i (reason %j) to %o', (code, reason, expected) => {
    expect(closeReason(code, reason)).toEqual(expected)
  })

  it.each([
    [1013, 'event log unavailable', 'WebSocket closed with code 1013 (event log unavailable)'],
    [1014, '', 'WebSocket closed with code 1014 (bad gateway)'],
  ])('maps the outage code %i (%j) to network, its message kept', (code, reason, message) => {
    expect(closeReason(code, reason)).toEqual({ kind: 'network', error: new Error(message) })
  })
})

describe('errorReason', () => {
  const wsError = (code: string, message: string) => Object.assign(new Error(message), { code })

  it('names the frame limit when ws refused a frame over maxPayload', () => {
    expect(errorReason(wsError('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'Max payload'), 8)).toEqual({
      kind: 'protocol',
      message: 'frame exceeds 8 bytes',
    })
  })

  it('turns another ws frame error into protocol with its message', () => {
    expect(errorReason(wsError('WS_ERR_INVALID_OPCODE', 'Invalid opcode 3'), 8)).toEqual({
      kind: 'protocol',
      message: 'Invalid opcode 3',
    })
  })

  it.each([new Error('boom'), wsError('ECONNRESET', 'reset'), { code: 7 }])(
    'reports %o as network, keeping the error',
    (error) => {
      expect(errorReason(error, 8)).toEqual({ kind: 'network', error })
    },
  )

  it('reports an error event without an error (a browser) as network', () => {
    expect(errorReason(undefined, 8)).toEqual({ kind: 'network' })
  })
})
