import { createHub, type EventLog, type Hub, memoryLog } from '@lifeline/server'
import { DEMO_TIMINGS } from './timings'

/** The hub the demo serves now, and how it is replaced by a restart or a deploy. */
export interface HubSlot {
  readonly current: Hub
  /**
   * Puts a new hub in place at once (new requests reach it) and returns the old one, still
   * open, for the caller to close or abandon. `keepHistory: false` gives the new hub an
   * empty log with a new epoch, as a restarted server with in-memory history has.
   */
  replace(options: { keepHistory: boolean }): Hub
  /** Closes the current hub and waits for every replaced one to finish closing. */
  close(): Promise<void>
}

/**
 * Creates the slot with its first hub. Hubs accept the page's origin for WebSocket upgrades
 * and CORS, since the page and the stream (behind the fault proxy) are on different ports.
 *
 * @example
 * ```ts
 * const slot = createHubSlot('http://127.0.0.1:8080')
 * await slot.current.publish('ticker', { data: 'hi' })
 * ```
 */
export function createHubSlot(pageOrigin: string): HubSlot {
  const open = (log: EventLog) =>
    createHub({
      log,
      heartbeat: DEMO_TIMINGS.heartbeat,
      retry: DEMO_TIMINGS.retry,
      origins: [pageOrigin],
      cors: { origins: [pageOrigin] },
    })
  let log = memoryLog({ capacity: 1_000 })
  let current = open(log)
  const replaced: Hub[] = []
  return {
    get current() {
      return current
    },
    replace({ keepHistory }) {
      const old = current
      replaced.push(old)
      if (!keepHistory) log = memoryLog({ capacity: 1_000 })
      current = open(log)
      return old
    },
    async close() {
      // hub.close is idempotent: a hub the caller is already closing returns its promise.
      await Promise.all([current, ...replaced].map((hub) => hub.close({ timeout: 1_000 })))
    },
  }
}
