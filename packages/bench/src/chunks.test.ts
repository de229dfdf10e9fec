import { describe, expect, it } from 'vitest'
import { randomChunks } from './chunks'

describe('randomChunks', () => {
  const bytes = new Uint8Array(100_000).map((_, i) => i % 251)

  it('covers the input in order, every chunk within the bounds but the last', () => {
    const chunks = randomChunks(bytes, { seed: 7, min: 1, max: 4096 })
    const joined = new Uint8Array(bytes.byteLength)
    let offset = 0
    for (const chunk of chunks) {
      joined.set(chunk, offset)
      offset += chunk.byteLength
    }
    expect(joined).toEqual(bytes)
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.byteLength).toBeGreaterThanOrEqual(1)
      expect(chunk.byteLength).toBeLessThanOrEqual(4096)
    }
  })

  it('cuts at the same places for the same seed, elsewhere for another', () => {
    const lengths = (seed: number) =>
      randomChunks(bytes, { seed, min: 1, max: 4096 }).map((chunk) => chunk.byteLength)
    expect(lengths(7)).toEqual(lengths(7))
    expect(lengths(7)).not.toEqual(lengths(8))
  })
})
