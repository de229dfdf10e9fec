import type { TransportSink } from '@lifeline/core'
import { createChanges, until } from '../wait'
import type { SinkRecord } from './types'

/** A sink that records every call, for one contract case. */
export interface Recorder {
  readonly sink: TransportSink
  /** Every call so far, in order; it stays live, so a stray call after `closed()` shows. */
  readonly records: readonly SinkRecord[]
  /** Resolves once a call of this kind was recorded; rejects after `timeoutMs`. */
  waitFor(call: SinkRecord['call'], timeoutMs?: number): Promise<void>
}

/** Creates a {@link Recorder}. Browser-safe. */
export function createRecorder(): Recorder {
  const records: SinkRecord[] = []
  const changes = createChanges()
  const record = (entry: SinkRecord) => {
    records.push(entry)
    changes.notify()
  }
  return {
    sink: {
      opened: () => record({ call: 'opened' }),
      activity: () => record({ call: 'activity' }),
      event: (event) => record({ call: 'event', event: { ...event } }),
      id: (lastEventId) => record({ call: 'id', lastEventId }),
      retry: (ms) => record({ call: 'retry', ms }),
      closed: (reason) => record({ call: 'closed', reason }),
    },
    records,
    async waitFor(call, timeoutMs) {
      await until(() => records.find((r) => r.call === call), `a ${call}() call`, {
        wake: changes.wake,
        timeoutMs,
        detail: () => `saw: ${records.map((r) => r.call).join(', ') || 'nothing'}`,
      })
    },
  }
}
