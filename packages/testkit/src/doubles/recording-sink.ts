import type { SinkRecord } from '@lifeline/conformance/cases'
import type { CloseReason, TransportSink } from '@lifeline/core'
import { createNotifier, until } from '../wait'

/** One call a transport made on its sink, in the order it made them (the contract's type). */
export type { SinkRecord }

/** The name of a sink call. */
export type SinkCall = SinkRecord['call']

/** The record of one kind of call. */
export type SinkRecordOf<K extends SinkCall> = Extract<SinkRecord, { call: K }>

/** A sink that records every call, and lets a test read them or wait for the one it expects. */
export interface RecordingSink {
  /** Hand this to `transport.open()`. */
  readonly sink: TransportSink
  /** Every call so far, in order. */
  readonly records: readonly SinkRecord[]
  /** The calls of one kind so far, in order. */
  of<K extends SinkCall>(call: K): SinkRecordOf<K>[]
  /**
   * Resolves with the first call of kind `call`, or the first record `call` accepts (one
   * already recorded counts); rejects after `timeoutMs` naming what was awaited and what came.
   */
  waitFor<K extends SinkCall>(call: K, timeoutMs?: number): Promise<SinkRecordOf<K>>
  waitFor(predicate: (record: SinkRecord) => boolean, timeoutMs?: number): Promise<SinkRecord>
  /** Resolves once `count` calls of kind `call` were recorded; bounded like `waitFor`. */
  count(call: SinkCall, count: number, timeoutMs?: number): Promise<void>
  /** Resolves with the reason of `closed()`; bounded like `waitFor`. */
  closed(timeoutMs?: number): Promise<CloseReason>
}

/**
 * Creates a {@link RecordingSink}. `hooks` run inside the call, after it is recorded: a
 * test closes the connection from `event()` as a user handler would. Browser-safe: no Node
 * imports, so a browser runner can bundle it beside the transport under test.
 *
 * @example
 * ```ts
 * const recording = createRecordingSink({ event: () => connection.close() })
 * const connection = transport.open(request, recording.sink)
 * await recording.waitFor('opened')
 * expect(await recording.closed()).toEqual({ kind: 'aborted' })
 * ```
 */
export function createRecordingSink(hooks: Partial<TransportSink> = {}): RecordingSink {
  const records: SinkRecord[] = []
  const changes = createNotifier()
  const record = (entry: SinkRecord) => {
    records.push(entry)
    changes.notify()
  }
  const of = <K extends SinkCall>(call: K) =>
    records.filter((r): r is SinkRecordOf<K> => r.call === call)
  const seen = () => `saw: ${records.map((r) => r.call).join(', ') || 'nothing'}`
  const find = (predicate: (record: SinkRecord) => boolean, what: string, timeoutMs?: number) =>
    until(() => records.find(predicate), what, { wake: changes.wake, detail: seen, timeoutMs })

  const sink: TransportSink = {
    opened() {
      record({ call: 'opened' })
      hooks.opened?.()
    },
    activity() {
      record({ call: 'activity' })
      hooks.activity?.()
    },
    event(event) {
      record({ call: 'event', event: { ...event } })
      hooks.event?.(event)
    },
    id(lastEventId) {
      record({ call: 'id', lastEventId })
      hooks.id?.(lastEventId)
    },
    retry(ms) {
      record({ call: 'retry', ms })
      hooks.retry?.(ms)
    },
    closed(reason) {
      record({ call: 'closed', reason })
      hooks.closed?.(reason)
    },
  }

  function waitFor<K extends SinkCall>(call: K, timeoutMs?: number): Promise<SinkRecordOf<K>>
  function waitFor(predicate: (r: SinkRecord) => boolean, timeoutMs?: number): Promise<SinkRecord>
  function waitFor(match: SinkCall | ((r: SinkRecord) => boolean), timeoutMs?: number) {
    return typeof match === 'string'
      ? find((r) => r.call === match, `a ${match}() call`, timeoutMs)
      : find(match, 'a matching sink call', timeoutMs)
  }

  return {
    sink,
    records,
    of,
    waitFor,
    async count(call, count, timeoutMs) {
      await until(() => of(call).length >= count, `${count} ${call}() calls`, {
        wake: changes.wake,
        detail: seen,
        timeoutMs,
      })
    },
    async closed(timeoutMs) {
      return (await waitFor('closed', timeoutMs)).reason
    },
  }
}
