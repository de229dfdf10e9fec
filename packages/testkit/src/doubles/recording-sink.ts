import type { CloseReason, TransportEvent, TransportSink } from '@lifeline/core'

/** One call a transport made on its sink, in the order it made them. */
export type SinkRecord =
  | { call: 'opened' }
  | { call: 'activity' }
  | { call: 'event'; event: TransportEvent }
  | { call: 'id'; lastEventId: string }
  | { call: 'retry'; ms: number }
  | { call: 'closed'; reason: CloseReason }

/** A sink that records every call, and lets a test wait for the call it expects. */
export interface RecordingSink {
  readonly sink: TransportSink
  /** Every call so far, in order. */
  readonly records: readonly SinkRecord[]
  /** Resolves with the first `closed` reason. */
  readonly closed: Promise<CloseReason>
  /**
   * Resolves once a record matching `predicate` exists (one already recorded counts);
   * rejects after `timeoutMs` so a missing call fails the test instead of hanging it.
   */
  waitFor(predicate: (record: SinkRecord) => boolean, timeoutMs?: number): Promise<SinkRecord>
}

interface Waiter {
  predicate: (record: SinkRecord) => boolean
  resolve: (record: SinkRecord) => void
}

/**
 * Creates a {@link RecordingSink}. Browser-safe: no Node imports, so a browser runner can
 * bundle it beside the transport under test.
 *
 * @example
 * ```ts
 * const recording = createRecordingSink()
 * transport.open(request, recording.sink)
 * await recording.waitFor((r) => r.call === 'opened')
 * expect(await recording.closed).toEqual({ kind: 'ended' })
 * ```
 */
export function createRecordingSink(): RecordingSink {
  const records: SinkRecord[] = []
  let waiters: Waiter[] = []
  let resolveClosed: (reason: CloseReason) => void = () => {}
  const closed = new Promise<CloseReason>((resolve) => {
    resolveClosed = resolve
  })

  const record = (entry: SinkRecord) => {
    records.push(entry)
    const matched = waiters.filter((w) => w.predicate(entry))
    if (matched.length === 0) return
    waiters = waiters.filter((w) => !matched.includes(w))
    for (const w of matched) w.resolve(entry)
  }

  const sink: TransportSink = {
    opened: () => record({ call: 'opened' }),
    activity: () => record({ call: 'activity' }),
    event: (event) => record({ call: 'event', event: { ...event } }),
    id: (lastEventId) => record({ call: 'id', lastEventId }),
    retry: (ms) => record({ call: 'retry', ms }),
    closed: (reason) => {
      record({ call: 'closed', reason })
      resolveClosed(reason)
    },
  }

  return {
    sink,
    records,
    closed,
    waitFor(predicate, timeoutMs = 5_000) {
      const found = records.find(predicate)
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve: (entry) => {
            clearTimeout(timer)
            resolve(entry)
          },
        }
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter)
          const seen = records.map((r) => r.call).join(', ')
          reject(new Error(`no matching sink call within ${timeoutMs} ms; saw: ${seen}`))
        }, timeoutMs)
        waiters.push(waiter)
      })
    },
  }
}
