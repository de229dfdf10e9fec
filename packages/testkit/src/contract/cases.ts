import type { SinkRecord } from '../doubles/recording-sink'

/**
 * What a pipe can express, as crossws flags what a runtime can do. A case that needs a
 * capability the adapter lacks is not registered for it.
 */
export interface AdapterCapabilities {
  /**
   * The client sees an HTTP status and content type before the stream starts: SSE over
   * fetch and XHR do; a browser WebSocket does not (a refused upgrade is just an error).
   */
  httpResponse: boolean
}

/**
 * What the server side does in one case, independent of the pipe. Each pipe's
 * {@link ContractServer} plays it its own way: an SSE server writes `blocks` as response
 * chunks; a WebSocket server first sends its acceptance frame (`: ok`), then one text frame
 * per block. Blocks are always whole SSE blocks, so every pipe can carry them.
 */
export type ContractScenario =
  /** Accept, send the blocks, then end cleanly, keep the stream open, or cut the connection. */
  | { kind: 'stream'; blocks: readonly string[]; after: 'end' | 'hold' | 'drop' }
  /** Answer with this HTTP status and an open body that never ends. Needs `httpResponse`. */
  | { kind: 'status'; status: number }
  /** Answer 200 with this content type (`null`: none), then the blocks; hold the stream open. */
  | { kind: 'content-type'; contentType: string | null; blocks: readonly string[] }
  /** Take the connection and the request, and never answer. */
  | { kind: 'silent' }
  /** Nothing listens at the URL. */
  | { kind: 'refused' }

/** What the server side saw of one request. */
export interface ContractReceived {
  /** The resume point the client sent (`Last-Event-ID` header, WebSocket hello), if any. */
  lastEventId: string | undefined
}

/** A scenario mounted on a {@link ContractServer}. */
export interface MountedScenario {
  /** Where the transport under test connects (an http(s) URL; a WebSocket adapter derives ws). */
  readonly url: string
  /** Resolves once the server has received the request. */
  requested(): Promise<void>
  /** Every request received for this scenario. */
  received(): readonly ContractReceived[]
}

/**
 * The server side of the contract suite for one pipe. Kept apart from the transport under
 * test, so a browser runner can serve cases from Node and run the transport in a page.
 */
export interface ContractServer {
  mount(scenario: ContractScenario): Promise<MountedScenario>
  /** Connections the server holds open right now: 0 once the client released everything. */
  openConnections(): number
  /** Resolves once `openConnections()` is 0; rejects after `timeoutMs`. */
  drained(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

/** When the runner aborts the attempt, and how. */
export interface ContractAbort {
  /** `before`: the signal is aborted before `open()`; the others wait for that moment. */
  when: 'before' | 'requested' | 'opened' | 'event'
  /** Abort `request.signal`, or call the connection's `close()`. */
  via: 'signal' | 'close'
}

/**
 * A sink call as the contract compares it: `activity` left out (how many depends on how
 * the network chunks bytes), and reasons reduced to what the negotiator acts on.
 */
export type ContractRecord =
  | { call: 'opened' }
  | { call: 'event'; event: { type: string; data: string; id?: string } }
  | { call: 'id'; lastEventId: string }
  | { call: 'retry'; ms: number }
  | {
      call: 'closed'
      reason:
        | { kind: 'http'; status: number }
        | { kind: 'network' | 'protocol' | 'ended' | 'no-content' | 'aborted' }
    }

/** One case of the adapter contract: plain data, so it can cross into a browser. */
export interface ContractCase {
  name: string
  requires?: readonly (keyof AdapterCapabilities)[]
  scenario: ContractScenario
  request?: { lastEventId?: string; maxMessageBytes?: number }
  abort?: ContractAbort
  /** The sink calls, without `activity`, in order. */
  records: readonly ContractRecord[]
  /** What the server must have received, when the case is about the request. */
  received?: readonly ContractReceived[]
}

const message = (data: string, id?: string): ContractRecord => ({
  call: 'event',
  event: id === undefined ? { type: 'message', data } : { type: 'message', data, id },
})
const opened: ContractRecord = { call: 'opened' }
const closed = (kind: 'network' | 'protocol' | 'ended' | 'no-content' | 'aborted') =>
  ({ call: 'closed', reason: { kind } }) as const
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

/** Every case the shipped adapters (and any third-party one) must pass. */
export const adapterContractCases: readonly ContractCase[] = [
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
      message('one'),
      { call: 'event', event: { type: 'price', data: '1.08', id: '7' } },
      message('multi\nline'),
      closed('ended'),
    ],
  },
  {
    name: 'reports the position block through id() and dispatches no event for it',
    scenario: { kind: 'stream', blocks: ['id: 42\n\n', 'data: live\n\n'], after: 'end' },
    records: [opened, { call: 'id', lastEventId: '42' }, message('live'), closed('ended')],
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
    records: [
      opened,
      { call: 'event', event: { type: 'close', data: 'Connection closed' } },
      closed('ended'),
    ],
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
    records: [opened, message('a'), closed('network')],
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
    records: [opened, message('a'), closed('aborted')],
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
    records: [opened, message('a'), closed('aborted')],
  },
]

/** Reduces recorded sink calls to what {@link ContractCase.records} compares. */
export function contractRecords(records: readonly SinkRecord[]): ContractRecord[] {
  const out: ContractRecord[] = []
  for (const record of records) {
    if (record.call === 'activity') continue
    if (record.call === 'event') {
      const { type, data, id } = record.event
      out.push({ call: 'event', event: id === undefined ? { type, data } : { type, data, id } })
    } else if (record.call === 'closed') {
      const { reason } = record
      out.push({
        call: 'closed',
        reason:
          reason.kind === 'http' ? { kind: 'http', status: reason.status } : { kind: reason.kind },
      })
    } else out.push(record)
  }
  return out
}

/**
 * The rules every recording must keep, whatever the case: exactly one `closed`, last;
 * nothing but `closed` without `opened` first; an `activity` before the first event, id or
 * retry. Returns the broken rules (empty when all hold).
 */
export function contractViolations(records: readonly SinkRecord[]): string[] {
  const problems: string[] = []
  const closedAt = records.flatMap((r, i) => (r.call === 'closed' ? [i] : []))
  if (closedAt.length !== 1) problems.push(`expected one closed(), got ${closedAt.length}`)
  else if (closedAt[0] !== records.length - 1) problems.push('a call came after closed()')
  const openedAt = records.findIndex((r) => r.call === 'opened')
  if (openedAt > 0) problems.push('opened() was not the first call')
  if (openedAt === -1 && records.some((r) => r.call !== 'closed'))
    problems.push('stream calls without opened()')
  if (records.filter((r) => r.call === 'opened').length > 1) problems.push('opened() twice')
  const firstData = records.findIndex(
    (r) => r.call === 'event' || r.call === 'id' || r.call === 'retry',
  )
  const firstActivity = records.findIndex((r) => r.call === 'activity')
  if (firstData !== -1 && (firstActivity === -1 || firstActivity > firstData))
    problems.push('an event, id or retry came before any activity()')
  return problems
}
