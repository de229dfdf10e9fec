import type { TransportEvent } from '@lifeline/core'
import { sseXhr } from '@lifeline/sse-xhr'
import { type Follower, followTransport } from '@lifeline/testkit/browser/follow-transport'
import { createNotifier, until } from '@lifeline/testkit/wait'

// Runs in Chromium: the browser tests call these exports through the harness.

let follower: Follower | undefined
let seen: TransportEvent[] = []
const arrivals = createNotifier()

/** Starts following `url` with sse-xhr, keeping every event. */
export function start(url: string, maxResponseBytes?: number): void {
  seen = []
  const options = maxResponseBytes === undefined ? {} : { maxResponseBytes }
  follower = followTransport(sseXhr(options), {
    url,
    onEvent(event) {
      seen.push(event)
      arrivals.notify()
    },
  })
}

/** Resolves with the data of the events seen once there are at least `count`. */
export async function received(count: number): Promise<string[]> {
  // Bounded below the harness's 15 s per call, so a failure names what the page awaited.
  await until(() => seen.length >= count, `${count} events`, {
    wake: arrivals.wake,
    timeoutMs: 10_000,
  })
  return seen.map((e) => e.data)
}

/** Stops following; resolves with how the follower's connections ended. */
export async function stop(): Promise<{ opens: number; reasons: string[] }> {
  const current = follower
  follower = undefined
  if (current === undefined) return { opens: 0, reasons: [] }
  await current.stop()
  return { opens: current.opens, reasons: [...current.reasons] }
}

/** What {@link bulk} measured. */
export interface BulkResult {
  received: number
  /** Events whose id was not the one after the previous event's. */
  outOfOrder: number
  opens: number
  /** How each connection closed: recycles (`ended`), then the final `aborted`. */
  reasons: string[]
  /** The longest `responseText` the adapter aborted, in characters. */
  largestResponse: number
  ms: number
  eventsPerSecond: number
}

/**
 * Follows `url` until event `total` arrived, checking each id is the previous plus one,
 * without keeping the events (so the heap measures the transport, not the test).
 */
export function bulk(url: string, total: number, maxResponseBytes: number): Promise<BulkResult> {
  return new Promise((resolve) => {
    let last = 0
    let received = 0
    let outOfOrder = 0
    const begin = performance.now()
    let largestResponse = 0
    // The injection point doubles as a probe: how far past the bound a response grew.
    class MeasuredXhr extends XMLHttpRequest {
      override abort() {
        largestResponse = Math.max(largestResponse, this.responseText.length)
        super.abort()
      }
    }
    const transport = sseXhr({ maxResponseBytes, XMLHttpRequest: MeasuredXhr })
    const run = followTransport(transport, {
      url,
      onEvent(event) {
        received++
        const id = Number(event.id)
        if (id !== last + 1) outOfOrder++
        last = id
        if (id === total)
          void run.stop().then(() => {
            const ms = performance.now() - begin
            resolve({
              received,
              outOfOrder,
              opens: run.opens,
              reasons: [...run.reasons],
              largestResponse,
              ms,
              eventsPerSecond: Math.round((received / ms) * 1000),
            })
          })
      },
    })
  })
}
