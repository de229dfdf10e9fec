import { describe, expect, it } from 'vitest'
import { createDuplicateWindow } from './duplicate-window'

describe('createDuplicateWindow', () => {
  it('remembers at least the last size ids', () => {
    const window = createDuplicateWindow(3)
    for (let i = 0; i < 100; i++) {
      window.add(String(i))
      for (let back = 0; back < 3 && back <= i; back++)
        expect(window.has(String(i - back))).toBe(true)
    }
  })

  it('is bounded: ids older than twice the size are forgotten', () => {
    const window = createDuplicateWindow(3)
    for (let i = 0; i < 100; i++) window.add(String(i))
    const remembered = Array.from({ length: 100 }, (_, i) => String(i)).filter((id) =>
      window.has(id),
    )
    expect(remembered.length).toBeGreaterThanOrEqual(3)
    expect(remembered.length).toBeLessThanOrEqual(6)
  })

  it('clear forgets everything', () => {
    const window = createDuplicateWindow(2)
    window.add('a')
    window.add('b')
    window.add('c')
    window.clear()
    expect(['a', 'b', 'c'].some((id) => window.has(id))).toBe(false)
  })
})
