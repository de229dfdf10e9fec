import { createPrng } from '@lifeline/testkit/doubles/prng'

/**
 * Splits `bytes` into views of random length between `min` and `max` bytes (the last may be
 * shorter), drawn from a seeded generator so every run and every variant sees the same
 * chunk boundaries. The views share the input's memory: no copy.
 *
 * @example
 * ```ts
 * const chunks = randomChunks(new TextEncoder().encode(stream), { seed: 1, min: 1, max: 4096 })
 * ```
 */
export function randomChunks(
  bytes: Uint8Array,
  options: { seed: number; min: number; max: number },
): Uint8Array[] {
  const random = createPrng(options.seed)
  const chunks: Uint8Array[] = []
  for (let offset = 0; offset < bytes.byteLength; ) {
    const end = Math.min(bytes.byteLength, offset + random.int(options.min, options.max))
    chunks.push(bytes.subarray(offset, end))
    offset = end
  }
  return chunks
}
