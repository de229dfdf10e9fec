import { closedRecord as closed, eventRecord, openedRecord as opened } from './records'
import type { ContractCase, ContractRecord } from './types'

const httpStatus = (status: number): ContractRecord => ({
  call: 'closed',
  reason: { kind: 'http', status },
})

const httpFailures = [401, 404, 500, 503].map(
  (status): ContractCase => ({
    name: `reports http ${status} with its status and never opens`,
    requires: ['httpResponse'],
    scenario: { kind: 'status', status },
    records: [httpStatus(status)],
  }),
)

/** The cases about opening, reporting and releasing that every transport must pass. */
export const transportCases: readonly ContractCase[] = [
  {
    name: 'delivers events with their types and ids, then reports ended',
    scenario: {
      kind: 'stream',
      blocks: [
        'data: one\n\n',
        'event: price\nid: 7\ndata: 1.08\n\n',
        'data: multi\ndata: line\n\n',
      ],
      after: 'end',
    },
    records: [
      opened,
      eventRecord('one'),
      eventRecord('1.08', { type: 'price', id: '7' }),
      eventRecord('multi\nline'),
      closed('ended'),
    ],
  },
  {
    name: 'reports the position block through id() and dispatches no event for it',
    scenario: { kind: 'stream', blocks: ['id: 42\n\n', 'data: live\n\n'], after: 'end' },
    records: [opened, { call: 'id', lastEventId: '42' }, eventRecord('live'), closed('ended')],
  },
  {
    name: 'reports a server retry hint',
    scenario: { kind: 'stream', blocks: ['retry: 2500\n\n'], after: 'end' },
    records: [opened, { call: 'retry', ms: 2500 }, closed('ended')],
  },
  {
    name: 'hands control events to the sink like any other event',
    scenario: {
      kind: 'stream',
      blocks: ['event: close\ndata: Connection closed\n\n'],
      after: 'end',
    },
    records: [opened, eventRecord('Connection closed', { type: 'close' }), closed('ended')],
  },
  {
    name: 'reports ended for a stream that only sent a comment',
    scenario: { kind: 'stream', blocks: [': ok\n\n'], after: 'end' },
    records: [opened, closed('ended')],
  },
  {
    name: 'sends no resume point when the request carries none',
    scenario: { kind: 'stream', blocks: [], after: 'end' },
    records: [opened, closed('ended')],
    received: [{ lastEventId: undefined }],
  },
  {
    name: 'sends the resume point the request carries',
    scenario: { kind: 'stream', blocks: [], after: 'end' },
    request: { lastEventId: '42' },
    records: [opened, closed('ended')],
    received: [{ lastEventId: '42' }],
  },
  {
    name: 'sends a non-ASCII resume point intact',
    scenario: { kind: 'stream', blocks: [], after: 'end' },
    request: { lastEventId: 'é-✓-1' },
    records: [opened, closed('ended')],
    received: [{ lastEventId: 'é-✓-1' }],
  },
  {
    name: 'reports network when nothing listens, and never opens',
    scenario: { kind: 'refused' },
    records: [closed('network')],
  },
  {
    name: 'reports network when the server cuts the connection mid-stream',
    scenario: { kind: 'stream', blocks: ['data: a\n\n'], after: 'drop' },
    records: [opened, eventRecord('a'), closed('network')],
  },
  ...httpFailures,
  {
    name: 'reports no-content for 204 and never opens',
    requires: ['httpResponse'],
    scenario: { kind: 'status', status: 204 },
    records: [closed('no-content')],
  },
  {
    name: 'reports protocol for a wrong content type, releasing the open body',
    requires: ['httpResponse'],
    scenario: { kind: 'content-type', contentType: 'text/html', blocks: ['data: a\n\n'] },
    records: [closed('protocol')],
  },
  {
    name: 'reports protocol for a response without a content type',
    requires: ['httpResponse'],
    scenario: { kind: 'content-type', contentType: null, blocks: ['data: a\n\n'] },
    records: [closed('protocol')],
  },
  {
    name: 'accepts text/event-stream with parameters',
    requires: ['httpResponse'],
    scenario: {
      kind: 'content-type',
      contentType: 'Text/Event-Stream; charset=utf-8',
      blocks: ['data: a\n\n'],
    },
    abort: { when: 'event', via: 'close' },
    records: [opened, eventRecord('a'), closed('aborted')],
  },
  {
    name: 'reports protocol for a message over maxMessageBytes and releases the connection',
    // Two data lines, so the limit trips while the message is buffered.
    scenario: {
      kind: 'stream',
      blocks: [`data: ${'x'.repeat(800)}\ndata: ${'x'.repeat(800)}\n\n`],
      after: 'hold',
    },
    request: { maxMessageBytes: 1024 },
    records: [opened, closed('protocol')],
  },
  {
    name: 'an abort while connecting closes with aborted, never opening, releasing the socket',
    scenario: { kind: 'silent' },
    abort: { when: 'requested', via: 'signal' },
    records: [closed('aborted')],
  },
  {
    name: 'close() while connecting closes with aborted, never opening',
    scenario: { kind: 'silent' },
    abort: { when: 'requested', via: 'close' },
    records: [closed('aborted')],
  },
  {
    name: 'an already aborted signal closes with aborted and opens nothing',
    scenario: { kind: 'stream', blocks: ['data: a\n\n'], after: 'hold' },
    abort: { when: 'before', via: 'signal' },
    records: [closed('aborted')],
  },
  {
    name: 'an abort after opened closes with aborted and releases the stream',
    scenario: { kind: 'stream', blocks: [': ok\n\n'], after: 'hold' },
    abort: { when: 'opened', via: 'signal' },
    records: [opened, closed('aborted')],
  },
  {
    name: 'close() mid-stream closes with aborted and releases the stream',
    scenario: { kind: 'stream', blocks: ['data: a\n\n'], after: 'hold' },
    abort: { when: 'event', via: 'close' },
    records: [opened, eventRecord('a'), closed('aborted')],
  },
]
