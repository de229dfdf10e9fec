import v8 from 'node:v8'
import vm from 'node:vm'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createResumePoint } from './resume'

const limits = { duplicateWindow: 4, maxIdBytes: 1_024 }

describe('createResumePoint', () => {
  it('moves the resume point on every new id and drops repeats, in order or not', () => {
    const resume = createResumePoint(undefined, limits)
    expect(['1', '2', '3'].map((id) => resume.accept(id))).toEqual(['new', 'new', 'new'])
    expect(resume.accept('2')).toBe('duplicate')
    expect(resume.lastEventId).toBe('3')
    // An id before the greatest that was never delivered is new, not a duplicate.
    expect(resume.accept('b')).toBe('new')
    expect(resume.accept('b')).toBe('duplicate')
    expect(resume.lastEventId).toBe('b')
  })

  it('is exact whatever the order of the ids: the same answers as a plain list of the last ids', () => {
    const ids = fc.array(fc.stringMatching(/^[a-c0-9]{1,3}$/), { maxLength: 60 })
    fc.assert(
      fc.property(ids, (stream) => {
        const resume = createResumePoint(undefined, limits)
        const delivered: string[] = []
        for (const id of stream) {
          const expected = delivered.slice(-limits.duplicateWindow).includes(id)
            ? 'duplicate'
            : 'new'
          // The window remembers at least its size: an older repeat may still be caught.
          const got = resume.accept(id)
          if (expected === 'duplicate') expect(got).toBe('duplicate')
          if (got === 'new') delivered.push(id)
        }
      }),
      { numRuns: 500, seed: 20261204 },
    )
  })

  it('remembers exactly the last duplicateWindow ids', () => {
    const resume = createResumePoint(undefined, limits)
    for (const id of ['1', '2', '3', '4', '5', '6']) resume.accept(id)
    expect(resume.accept('3')).toBe('duplicate')
    // '1' and '2' left the window: a server resending them this late is believed.
    expect(resume.accept('2')).toBe('new')
  })

  it('an empty id clears the point and is never a duplicate; drop forgets the window', () => {
    const resume = createResumePoint('9', limits)
    expect(resume.accept('')).toBe('new')
    expect(resume.lastEventId).toBeUndefined()
    expect(resume.accept('')).toBe('new')
    resume.accept('a')
    expect(resume.drop()).toBe('a')
    expect(resume.lastEventId).toBeUndefined()
    expect(resume.accept('a')).toBe('new')
  })

  it('reports the first of a run of ids over maxIdBytes as lost, and keeps none of them', () => {
    const resume = createResumePoint('1', { duplicateWindow: 4, maxIdBytes: 8 })
    const long = 'é'.repeat(5) // 10 bytes in UTF-8, 5 characters
    expect(resume.accept(long)).toBe('lost')
    expect(resume.lastEventId).toBeUndefined()
    expect(resume.accept(`${long}x`)).toBe('new')
    expect(resume.lastEventId).toBeUndefined()
    expect(resume.accept('2')).toBe('new')
    expect(resume.accept(long)).toBe('lost')
  })

  it('keeps a copy of each id, not the chunk it was sliced from', () => {
    // A sliced id would keep its whole chunk alive for as long as the window holds it.
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const resume = createResumePoint(undefined, { duplicateWindow: 1_024, maxIdBytes: 1_024 })
    gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 200; i++) {
      // Built at run time, so each chunk is a string of its own that only the id could hold.
      const chunk = `id: abcdefghijklmnop-${i}\n${'x'.repeat(100_000 + i)}`
      resume.accept(chunk.slice(4, chunk.indexOf('\n')))
    }
    gc()
    const grown = process.memoryUsage().heapUsed - before
    // 200 chunks of 100 kB would be 20 MB; 200 short ids are a few kB.
    expect(grown).toBeLessThan(2_000_000)
    expect(resume.accept('abcdefghijklmnop-199')).toBe('duplicate')
  })
})
