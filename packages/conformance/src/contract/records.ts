import type { ContractCase, ContractRecord, SinkRecord } from './types'

/** The record of an event, as a case expects it. */
export const eventRecord = (data: string, more: { type?: string; id?: string } = {}) =>
  ({
    call: 'event',
    event:
      more.id === undefined
        ? { type: more.type ?? 'message', data }
        : { type: more.type ?? 'message', data, id: more.id },
  }) as const satisfies ContractRecord

/** The record of `opened()`. */
export const openedRecord = { call: 'opened' } as const satisfies ContractRecord

/** The record of `closed()` with a reason that has no status. */
export const closedRecord = (kind: 'network' | 'protocol' | 'ended' | 'no-content' | 'aborted') =>
  ({ call: 'closed', reason: { kind } }) as const satisfies ContractRecord

/**
 * Reduces recorded sink calls to what {@link ContractCase.records} compares.
 *
 * @example
 * ```ts
 * expect(contractRecords(records)).toEqual(testCase.records)
 * ```
 */
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
 *
 * @example
 * ```ts
 * expect(contractViolations(records)).toEqual([])
 * ```
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
