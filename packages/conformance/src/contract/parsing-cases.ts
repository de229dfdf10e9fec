import { closedRecord, eventRecord as event, openedRecord } from './records'
import type { ContractCase, ContractChunk, ContractRecord } from './types'

/**
 * The parsing rules of the WHATWG HTML standard, "Server-sent events" §9.2.5–9.2.6
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
 * as data: chunks in, the sink calls a transport must make out. Each runs end to end: the
 * contract server writes the chunks one by one and ends the response.
 */
interface ParsingRule {
  name: string
  chunks: readonly ContractChunk[]
  expected: readonly ContractRecord[]
}

const utf8 = new TextEncoder()
const bytes = (text: string): number[] => [...utf8.encode(text)]

const rules: readonly ParsingRule[] = [
  {
    name: 'dispatches a block with the default type "message"',
    chunks: ['data: hello\n\n'],
    expected: [event('hello')],
  },
  {
    name: 'joins several data lines with LF',
    chunks: ['data: a\ndata: b\ndata: c\n\n'],
    expected: [event('a\nb\nc')],
  },
  {
    name: 'keeps colons inside the value',
    chunks: ['data: a: b\n\n'],
    expected: [event('a: b')],
  },
  {
    name: 'names the type with the event field',
    chunks: ['event: price\ndata: 1.08\n\n'],
    expected: [event('1.08', { type: 'price' })],
  },
  {
    name: 'falls back to "message" for an empty event field',
    chunks: ['event:\ndata: x\n\n'],
    expected: [event('x')],
  },
  {
    name: 'resets the event type after each block',
    chunks: ['event: a\ndata: 1\n\ndata: 2\n\n'],
    expected: [event('1', { type: 'a' }), event('2')],
  },
  {
    name: 'strips exactly one leading space from a value',
    chunks: ['data:  two\n\ndata:none\n\ndata:   x  \n\n'],
    expected: [event(' two'), event('none'), event('  x  ')],
  },
  {
    name: 'takes a line without a colon as a field with an empty value',
    chunks: ['data\n\ndata\ndata\n\n'],
    expected: [event(''), event('\n')],
  },
  {
    name: 'dispatches an event with empty data for an empty data field',
    chunks: ['data:\n\ndata: \n\n'],
    expected: [event(''), event('')],
  },
  {
    name: 'dispatches nothing for a block without data',
    chunks: ['event: foo\n\n', 'data: x\n\n'],
    expected: [event('x')],
  },
  {
    name: 'ignores comments, heartbeats included',
    chunks: [':\n\n', ': ping\n\n', ': before\ndata: x\n: inside\n\n'],
    expected: [event('x')],
  },
  {
    name: 'ignores unknown fields and compares field names case-sensitively',
    chunks: ['foo: bar\nDATA: no\nData: no\ndata: yes\n\n'],
    expected: [event('yes')],
  },
  {
    name: 'ends lines at CR',
    chunks: ['data: a\rdata: b\r\r'],
    expected: [event('a\nb')],
  },
  {
    name: 'ends lines at CRLF',
    chunks: ['data: a\r\ndata: b\r\n\r\n'],
    expected: [event('a\nb')],
  },
  {
    name: 'accepts LF, CR and CRLF mixed in one stream',
    chunks: ['data: a\r\ndata: b\rdata: c\n\r\n'],
    expected: [event('a\nb\nc')],
  },
  {
    name: 'takes a CRLF split across chunks as one line end',
    chunks: ['data: a\r', '\ndata: b\r', '\n\r', '\n'],
    expected: [event('a\nb')],
  },
  {
    name: 'takes a CR at the end of a chunk then a CR as two line ends',
    chunks: ['data: a\r', '\rdata: b\n\n'],
    expected: [event('a'), event('b')],
  },
  {
    name: 'joins a line split across chunks',
    chunks: ['da', 'ta: he', 'llo\n', '\n'],
    expected: [event('hello')],
  },
  {
    name: 'strips a leading UTF-8 BOM',
    chunks: [[0xef, 0xbb, 0xbf, ...bytes('data: x\n\n')]],
    expected: [event('x')],
  },
  {
    name: 'strips a leading BOM split across chunks',
    chunks: [[0xef], [0xbb], [0xbf, ...bytes('data: x\n\n')]],
    expected: [event('x')],
  },
  {
    name: 'strips only one BOM: a second one makes the first line an unknown field',
    chunks: ['\uFEFF\uFEFFdata: x\n\ndata: y\n\n'],
    expected: [event('y')],
  },
  {
    name: 'decodes UTF-8 split across chunks',
    chunks: [
      [...bytes('data: caf'), 0xc3],
      [0xa9, ...bytes(' '), 0xe2, 0x82],
      [0xac, ...bytes(' '), 0xf0, 0x9f],
      [0x98],
      [0x80, ...bytes('\n\n')],
    ],
    expected: [event('café € 😀')],
  },
  {
    name: 'decodes invalid UTF-8 as U+FFFD',
    chunks: [[...bytes('data: '), 0xff, ...bytes('\n\n')]],
    expected: [event('\uFFFD')],
  },
  {
    name: 'reports no id for an event without an id field, even after one with an id',
    chunks: ['id: 1\ndata: a\n\n', 'data: b\n\n'],
    expected: [event('a', { id: '1' }), event('b')],
  },
  {
    name: 'resets the last event id with an empty id field',
    chunks: ['id: 1\ndata: a\n\n', 'id:\ndata: b\n\n', 'id: 2\ndata: c\n\n', 'id\ndata: d\n\n'],
    expected: [
      event('a', { id: '1' }),
      event('b', { id: '' }),
      event('c', { id: '2' }),
      event('d', { id: '' }),
    ],
  },
  {
    name: 'ignores an id field that contains NULL',
    chunks: ['id: 1\ndata: a\n\n', 'id: 2\u00003\ndata: b\n\n'],
    expected: [event('a', { id: '1' }), event('b')],
  },
  {
    name: 'keeps spaces after the first in an id',
    chunks: ['id:  7\ndata: a\n\n'],
    expected: [event('a', { id: ' 7' })],
  },
  {
    name: 'reports an id-only block (no data) as a moved resume point, no event',
    chunks: ['id: 5\n\n', 'data: x\n\n'],
    expected: [{ call: 'id', lastEventId: '5' }, event('x')],
  },
  {
    name: 'reports an id-only block followed by an event in the same chunk',
    chunks: ['id: 5\n\ndata: x\n\n'],
    expected: [{ call: 'id', lastEventId: '5' }, event('x')],
  },
  {
    name: 'clears the resume point with an empty id-only block',
    chunks: ['id: 5\n\n', 'id:\n\n', 'data: x\n\n'],
    expected: [{ call: 'id', lastEventId: '5' }, { call: 'id', lastEventId: '' }, event('x')],
  },
  {
    name: 'takes retry from ASCII digits',
    chunks: ['retry: 1500\n\n', 'retry: 0\n\n'],
    expected: [
      { call: 'retry', ms: 1500 },
      { call: 'retry', ms: 0 },
    ],
  },
  {
    name: 'ignores retry values that are not only ASCII digits',
    chunks: ['retry: 15a0\n', 'retry: -1\n', 'retry: 1.5\n', 'retry:\n', 'retry:  100\n\n'],
    expected: [],
  },
  {
    name: 'applies retry when its line is read, not at dispatch',
    chunks: ['retry: 100\ndata: x\n\n'],
    expected: [{ call: 'retry', ms: 100 }, event('x')],
  },
  {
    name: 'dispatches several events from one chunk in order',
    chunks: ['data: 1\n\ndata: 2\n\nevent: t\ndata: 3\n\n'],
    expected: [event('1'), event('2'), event('3', { type: 't' })],
  },
  {
    name: 'drops an unterminated final event at the end of the stream',
    chunks: ['data: a\n\n', 'data: b\n'],
    expected: [event('a')],
  },
  {
    name: 'drops a final line without a line end',
    chunks: ['data: a\n\n', 'data: b'],
    expected: [event('a')],
  },
]

/** The parsing rules as contract cases; they need a pipe whose bytes may split anywhere. */
export const parsingCases: readonly ContractCase[] = rules.map(
  (rule): ContractCase => ({
    name: `parsing: ${rule.name}`,
    requires: ['httpResponse'],
    scenario: { kind: 'bytes', chunks: rule.chunks },
    records: [openedRecord, ...rule.expected, closedRecord('ended')],
  }),
)
