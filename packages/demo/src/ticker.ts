import type { NewEvent } from '@lifeline/server'

/** What one ticker event carries, as JSON in its `data`. */
export interface Tick {
  /** Counts up by one per published event, across server restarts: the page checks it. */
  n: number
  symbol: string
  price: number
}

/** A running ticker. */
export interface Ticker {
  /** The `n` of the last event published. */
  readonly last: number
  stop(): void
}

/**
 * Publishes a `tick` event every `every` ms through `publish` (which the demo points at
 * whichever hub is current). `n` only advances once a publish resolved, so a tick that hit
 * a closing hub is published again rather than lost.
 *
 * @example
 * ```ts
 * const ticker = startTicker((event) => hub.publish('ticker', event), 400)
 * ```
 */
export function startTicker(publish: (event: NewEvent) => Promise<string>, every: number): Ticker {
  let last = 0
  let price = 100
  let busy = false
  const timer = setInterval(() => {
    // A publish still pending (a slow log) is not overtaken: ticks stay in order.
    if (busy) return
    busy = true
    const next = Math.round((price + (Math.random() - 0.5)) * 100) / 100
    const tick: Tick = { n: last + 1, symbol: 'LFL', price: next }
    publish({ type: 'tick', data: JSON.stringify(tick) }).then(
      () => {
        last = tick.n
        price = next
        busy = false
      },
      () => {
        busy = false
      },
    )
  }, every)
  return {
    get last() {
      return last
    },
    stop: () => clearInterval(timer),
  }
}
