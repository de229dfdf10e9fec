import { describe, expect, it } from 'vitest'
import { exceedsBytes } from './message-size'

const utf8 = (text: string) => new TextEncoder().encode(text).byteLength

describe('exceedsBytes', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€€€€', 12],
    ['😀', 4],
    ['a😀b', 6],
    ['\ud800', 3],
    ['x\udc00', 4],
    ['€'.repeat(100), 300],
  ])('measures %j as %i UTF-8 bytes', (text, bytes) => {
    expect(utf8(text)).toBe(bytes)
    expect(exceedsBytes(text, bytes)).toBe(false)
    if (bytes > 0) expect(exceedsBytes(text, bytes - 1)).toBe(true)
  })
})
