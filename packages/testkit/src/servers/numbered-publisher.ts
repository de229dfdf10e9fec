import type { Hub } from '@lifeline/server'
import { createNotifier, until } from '../wait'

/** Options of {@link publishNumbered}. */
export interface NumberedOptions {
  /** The number of the first event. Default 1. */
  from?: number
  /** The number of the last event. */
  to: number
  /** The pace: ms between two publishes. Default 5. */
  everyMs?: number
  /**
   * Asked before event `n` is published; a promise it returns is awaited first: a bound on
   * how far the publisher may run ahead of what a test waits for.
   */
  hold?: (n: number) => Promise<unknown> | undefined
}

/** A {@link publishNumbered} run. */
export interface NumberedPublisher {
  /** The number of the last event published so far (`from - 1` before the first). */
  readonly published: number
  /** The ids the hub gave them, in order. */
  readonly ids: readonly string[]
  /** How long `hold` kept the publisher waiting, in ms. */
  readonly heldMs: number
  /** Settles once the last was published. */
  readonly done: Promise<void>
  /** Resolves once event `n` was published. */
  reached(n: number): Promise<void>
}

/**
 * Publishes numbered events to `stream` at a steady pace, in the background: data `from`,
 * `from + 1`, … `to`, so a client's record is checked against {@link numbers}.
 *
 * @example
 * ```ts
 * const stream = publishNumbered(hub, 'ticks', { to: 300 })
 * await stream.reached(80)
 * await stream.done
 * ```
 */
export function publishNumbered(
  hub: Hub,
  stream: string,
  options: NumberedOptions,
): NumberedPublisher {
  const first = options.from ?? 1
  const ids: string[] = []
  const changes = createNotifier()
  let heldMs = 0
  const done = (async () => {
    for (let n = first; n <= options.to; n++) {
      const held = options.hold?.(n)
      if (held !== undefined) {
        const since = performance.now()
        await held
        heldMs += performance.now() - since
      }
      ids.push(await hub.publish(stream, { data: String(n) }))
      changes.notify()
      if (n < options.to) await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 5))
    }
  })()
  return {
    get published() {
      return first - 1 + ids.length
    },
    ids,
    get heldMs() {
      return heldMs
    },
    done,
    async reached(n) {
      await until(() => first - 1 + ids.length >= n, `event ${n} published`, {
        wake: changes.wake,
        timeoutMs: 15_000,
      })
    },
  }
}

/** The data of numbered events `from`…`to`: what {@link publishNumbered} publishes. */
export function numbers(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => String(from + i))
}
