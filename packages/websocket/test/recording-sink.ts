import type { CloseReason, TransportEvent, TransportSink } from '@lifeline/core'

/** One call the transport made on its sink, in order. */
export type SinkCall =
  | { call: 'opened' }
  | { call: 'activity' }
  | { call: 'event'; event: TransportEvent }
  | { call: 'id'; id: string }
  | { call: 'retry'; ms: number }
  | { call: 'closed'; reason: CloseReason }

/** A sink that records every call and lets a test wait for the one it expects. */
export interface RecordingSink extends TransportSink {
  readonly calls: SinkCall[]
  /** The recorded calls of one kind. */
  of<K extends SinkCall['call']>(kind: K): Extract<SinkCall, { call: K }>[]
  /** Resolves with the first recorded call (past or future) matching `kind`, within `ms`. */
  next<K extends SinkCall['call']>(kind: K, ms?: number): Promise<Extract<SinkCall, { call: K }>>
  /** Resolves once `count` calls of `kind` were recorded, within `ms`. */
  count(kind: SinkCall['call'], count: number, ms?: number): Promise<void>
  /** Resolves with the close reason, within `ms`. */
  reason(ms?: number): Promise<CloseReason>
}

/** Records sink calls; `hooks` run after recording (e.g. to close from inside a callback). */
export function recordingSink(hooks: Partial<TransportSink> = {}): RecordingSink {
  const calls: SinkCall[] = []
  let waiters: (() => void)[] = []
  const record = (entry: SinkCall) => {
    calls.push(entry)
    const current = waiters
    waiters = []
    for (const wake of current) wake()
  }
  const waitUntil = <T>(probe: () => T | undefined, what: string, ms: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)
      const check = () => {
        const found = probe()
        if (found === undefined) waiters.push(check)
        else {
          clearTimeout(timer)
          resolve(found)
        }
      }
      check()
    })
  const of = <K extends SinkCall['call']>(kind: K) =>
    calls.filter((c): c is Extract<SinkCall, { call: K }> => c.call === kind)

  return {
    calls,
    of,
    opened() {
      record({ call: 'opened' })
      hooks.opened?.()
    },
    activity() {
      record({ call: 'activity' })
      hooks.activity?.()
    },
    event(event) {
      record({ call: 'event', event })
      hooks.event?.(event)
    },
    id(id) {
      record({ call: 'id', id })
      hooks.id?.(id)
    },
    retry(ms) {
      record({ call: 'retry', ms })
      hooks.retry?.(ms)
    },
    closed(reason) {
      record({ call: 'closed', reason })
      hooks.closed?.(reason)
    },
    next(kind, ms = 5_000) {
      return waitUntil(() => of(kind)[0], kind, ms)
    },
    async count(kind, count, ms = 5_000) {
      await waitUntil(() => (of(kind).length >= count ? true : undefined), `${count} ${kind}`, ms)
    },
    async reason(ms = 5_000) {
      return (await waitUntil(() => of('closed')[0], 'closed', ms)).reason
    },
  }
}
