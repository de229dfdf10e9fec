import { describe, expect, it } from 'vitest'
import { createDuplicateWindow } from './duplicate-window'

describe('createDuplicateWindow', () => {
  it('remembers the last size ids and forgets older ones', () => {
    const window = createDuplicateWindow(3)
    for (const id of ['a', 'b', 'c', 'd']) window.add(id)
    expect(['a', 'b', 'c', 'd'].map((id) => window.has(id))).toEqual([false, true, true, true])
  })

  it('clear forgets everything', () => {
    const window = createDuplicateWindow(2)
    window.add('a')
    window.clear()
    expect(window.has('a')).toBe(false)
    window.add('b')
    window.add('c')
    window.add('d')
    expect(window.has('b')).toBe(false)
    expect(window.has('d')).toBe(true)
  })
})
