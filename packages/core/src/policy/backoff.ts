/** The largest delay `setTimeout` honours; a larger `retry:` would overflow into 0 ms. */
export const MAX_DELAY_MS = 2 ** 31 - 1

/** Exponential backoff with full jitter, capped. */
export interface BackoffOptions {
  /** The first step in ms; a server `retry:` replaces it. Default 1 000. */
  initial: number
  /** No delay is ever longer. Default 30 000. */
  max: number
  /** Each failure in a row multiplies the step. Default 2. */
  factor: number
}

/** The defaults of the `backoff` option. */
export const DEFAULT_BACKOFF: BackoffOptions = { initial: 1_000, max: 30_000, factor: 2 }

/**
 * The step (the upper bound of the delay) after `failures` failures in a row; 0 failures is
 * the first step, as after a clean drop.
 */
export function backoffStep(failures: number, base: number, options: BackoffOptions): number {
  const exponent = Math.max(0, failures - 1)
  return Math.min(options.max, base * options.factor ** exponent, MAX_DELAY_MS)
}

/** Full jitter: a delay anywhere between 0 and the step, from `random` in [0, 1). */
export function backoffDelay(
  failures: number,
  base: number,
  options: BackoffOptions,
  random: number,
): number {
  return Math.floor(random * backoffStep(failures, base, options))
}

/**
 * The delay a server's close event asks for with `{"retry": ms}`: between half of it and
 * all of it, so a fleet told to reconnect spreads out; never over `max`.
 */
export function closeEventDelay(retry: number, options: BackoffOptions, random: number): number {
  const half = retry / 2
  return Math.floor(Math.min(options.max, half + random * half, MAX_DELAY_MS))
}
