import { describe, expect, it } from 'vitest'
import { contractRecords, contractViolations } from './records'
import type { SinkRecord } from './types'

const event: SinkRecord = { call: 'event', event: { type: 'message', data: 'a' } }
const ended: SinkRecord = { call: 'closed', reason: { kind: 'ended' } }

describe('contractViolations', () => {
  it.each<[string, SinkRecord[], string[]]>([
    ['a clean stream', [{ call: 'opened' }, { call: 'activity' }, event, ended], []],
    ['a refusal', [{ call: 'closed', reason: { kind: 'http', status: 503 } }], []],
    ['no closed()', [{ call: 'opened' }], ['expected one closed(), got 0']],
    ['two closed()', [ended, ended], ['expected one closed(), got 2']],
    [
      'a call after closed()',
      [{ call: 'opened' }, ended, { call: 'activity' }],
      ['a call came after closed()'],
    ],
    [
      'data before activity()',
      [{ call: 'opened' }, event, { call: 'activity' }, ended],
      ['an event, id or retry came before any activity()'],
    ],
    [
      'stream calls without opened()',
      [{ call: 'activity' }, ended],
      ['stream calls without opened()'],
    ],
    ['opened() twice', [{ call: 'opened' }, { call: 'opened' }, ended], ['opened() twice']],
  ])('%s', (_, records, problems) => {
    expect(contractViolations(records)).toEqual(problems)
  })
})

describe('contractRecords', () => {
  it('leaves out activity and reduces reasons to what the negotiator acts on', () => {
    expect(
      contractRecords([
        { call: 'opened' },
        { call: 'activity' },
        { call: 'event', event: { type: 'message', data: 'a', id: undefined } },
        { call: 'closed', reason: { kind: 'network', error: new Error('reset') } },
      ]),
    ).toEqual([
      { call: 'opened' },
      { call: 'event', event: { type: 'message', data: 'a' } },
      { call: 'closed', reason: { kind: 'network' } },
    ])
  })
})
