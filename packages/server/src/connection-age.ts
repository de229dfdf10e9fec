import { controlEvent } from './serialize'
import type { Subscriber } from './subscriber'

/**
 * [design] The close event of a connection that reached `maxConnectionAge`: reconnect at
 * once, with no `retry`, since each connection's own jitter already spreads the fleet.
 */
const AGE_CLOSE = controlEvent('close', '{"reconnect":true}')

/** The most a jittered age can be, so that its timer still fits. */
export const MAX_CONNECTION_AGE = Math.floor((2 ** 31 - 1) / 1.1)

/**
 * Ends `subscriber` with the close event once it is `maxAge` ms old, ±10 % drawn once per
 * connection: a fleet that connected together (a deploy) does not come back together, and
 * each client re-resolves its headers (tokens) and may land on a newer instance. Returns the
 * function that stops the timer when the connection goes first.
 *
 * @example
 * ```ts
 * const stop = retireWhenOld(subscriber, 3_600_000, Math.random)
 * ```
 */
export function retireWhenOld(
  subscriber: Subscriber,
  maxAge: number,
  random: () => number,
): () => void {
  const age = Math.round(maxAge * (0.9 + 0.2 * random()))
  const timer = setTimeout(() => subscriber.end(AGE_CLOSE), age)
  return () => clearTimeout(timer)
}
