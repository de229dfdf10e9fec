/** Options of {@link publishSteadily}. */
export interface SteadyOptions {
  /** The last sequence number; publishing starts at 1. */
  total: number
  /** The steady rate. */
  perSecond: number
}

/** A running publisher. */
export interface SteadyPublisher {
  /** The id of every event published so far; `ids[seq - 1]` is event `seq`'s. */
  readonly ids: string[]
  /** Resolves once `total` events are published, or after {@link stop}. */
  readonly done: Promise<void>
  /** Stops after the event in flight; resolves when it is published. */
  stop(): Promise<void>
}

/**
 * Publishes events `1..total` at a steady rate, one after another so ids come back in
 * publish order. It catches up in a burst when it fell behind, as a real producer's queue
 * does, so the rate holds on a busy machine.
 *
 * @example
 * ```ts
 * const publisher = publishSteadily((seq) => hub.publish('events', { data: String(seq) }), {
 *   total: 1_000,
 *   perSecond: 1_000,
 * })
 * await publisher.done
 * ```
 */
export function publishSteadily(
  publish: (seq: number) => Promise<string>,
  options: SteadyOptions,
): SteadyPublisher {
  const ids: string[] = []
  const interval = 1_000 / options.perSecond
  let stopped = false
  const done = (async () => {
    const start = performance.now()
    for (let seq = 1; seq <= options.total && !stopped; seq++) {
      // Pacing, not synchronisation: the next event is not due yet.
      const wait = start + (seq - 1) * interval - performance.now()
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait))
      if (stopped) break
      ids.push(await publish(seq))
    }
  })()
  return {
    ids,
    done,
    stop() {
      stopped = true
      return done
    },
  }
}
