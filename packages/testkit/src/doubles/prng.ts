/**
 * A seeded pseudo-random source: the same seed always yields the same sequence, so a
 * fault schedule that broke a test can be replayed from the seed printed on failure.
 */
export interface Prng {
  /** The seed this source started from. */
  readonly seed: number
  /** The next number in [0, 1). */
  next(): number
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number
  /** One of `items`, chosen uniformly; `items` must not be empty. */
  pick<T>(items: readonly T[]): T
  /** `true` with probability `p`. */
  chance(p: number): boolean
}

/**
 * The mulberry32 generator: 32 bits of state, fast, and good enough for test schedules
 * (not for cryptography).
 *
 * @example
 * ```ts
 * const next = mulberry32(42)
 * next() // 0.6011037519201636, on every machine
 * ```
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Creates a {@link Prng} on {@link mulberry32}.
 *
 * @example
 * ```ts
 * const random = createPrng(Number(process.env.SEED ?? 1))
 * const delay = random.int(100, 500)
 * ```
 */
export function createPrng(seed: number): Prng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`)
  const next = mulberry32(seed)
  const int = (min: number, max: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(${min}, ${max}): bounds must be integers with min <= max`)
    }
    return min + Math.floor(next() * (max - min + 1))
  }
  return {
    seed,
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick() needs at least one item')
      return items[int(0, items.length - 1)] as T
    },
    chance: (p) => next() < p,
  }
}
