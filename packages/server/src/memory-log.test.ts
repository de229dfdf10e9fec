import { describe, expect, it } from 'vitest'
import { isEventId } from './event-id'
import type { LogEntry } from './log'
import { memoryLog } from './memory-log'

describe('memoryLog', () => {
  it('assigns monotonic, header-safe ids carrying the epoch', async () => {
    const log = memoryLog({ epoch: 'e1' })
    const first = await log.append('s', { data: 'a' })
    const second = await log.append('s', { type: 'price', data: 'b' })
    expect([first.id, second.id]).toEqual(['e1-1', 'e1-2'])
    expect(second).toEqual({ id: 'e1-2', type: 'price', data: 'b' })
    expect(first.type).toBe('message')
  })

  it('gives every log a fresh random epoch by default', async () => {
    const a = await memoryLog().append('s', { data: 'x' })
    const b = await memoryLog().append('s', { data: 'x' })
    expect(a.id).not.toBe(b.id)
    expect(isEventId(a.id)).toBe(true)
    expect(a.id.length).toBeLessThanOrEqual(64)
  })

  it('reports the position before the first entry of an empty stream, and resumes from it', async () => {
    const log = memoryLog({ epoch: 'e' })
    const head = await log.newest('s')
    expect(head).toBe('e-0')
    expect(await log.oldest('s')).toBeUndefined()
    await log.append('s', { data: 'a' })
    expect(await log.readAfter('s', head, 10)).toEqual({
      kind: 'entries',
      entries: [{ id: 'e-1', type: 'message', data: 'a' }],
    })
  })

  it('reads at most limit entries after an id, oldest first', async () => {
    const log = memoryLog({ epoch: 'e' })
    for (let i = 1; i <= 5; i++) await log.append('s', { data: String(i) })
    const result = await log.readAfter('s', 'e-1', 2)
    expect(result.kind === 'entries' && result.entries.map((e) => e.data)).toEqual(['2', '3'])
    expect(await log.readAfter('s', 'e-5', 10)).toEqual({ kind: 'entries', entries: [] })
  })

  it('keeps streams apart', async () => {
    const log = memoryLog({ epoch: 'e' })
    await log.append('a', { data: 'a1' })
    await log.append('b', { data: 'b1' })
    expect(await log.newest('a')).toBe('e-1')
    const result = await log.readAfter('b', 'e-0', 10)
    expect(result.kind === 'entries' && result.entries.map((e) => e.data)).toEqual(['b1'])
  })

  it('drops the oldest beyond capacity and answers evicted ids with unknown', async () => {
    const log = memoryLog({ epoch: 'e', capacity: 3 })
    for (let i = 1; i <= 5; i++) await log.append('s', { data: String(i) })
    expect(await log.oldest('s')).toBe('e-3')
    // e-2 is the last id before the oldest retained entry: everything after it is still here.
    const fromEdge = await log.readAfter('s', 'e-2', 10)
    expect(fromEdge.kind === 'entries' && fromEdge.entries.map((e) => e.data)).toEqual([
      '3',
      '4',
      '5',
    ])
    expect(await log.readAfter('s', 'e-1', 10)).toEqual({ kind: 'unknown' })
    expect(await log.readAfter('s', 'e-0', 10)).toEqual({ kind: 'unknown' })
  })

  it.each([
    ['another epoch', 'other-1'],
    ['an id from the future', 'e-9'],
    ['a malformed sequence', 'e-01'],
    ['no sequence', 'e-'],
    ['a foreign id', '42'],
    ['an empty id', ''],
  ])('answers %s with unknown', async (_, id) => {
    const log = memoryLog({ epoch: 'e' })
    await log.append('s', { data: 'a' })
    expect(await log.readAfter('s', id, 10)).toEqual({ kind: 'unknown' })
  })

  it('delivers appended entries to subscribers in order before append resolves', async () => {
    const log = memoryLog({ epoch: 'e' })
    const seen: LogEntry[] = []
    const unsubscribe = log.subscribe('s', (entry) => seen.push(entry))
    const appending = log.append('s', { data: 'a' })
    expect(seen.map((e) => e.id)).toEqual(['e-1'])
    await appending
    await log.append('other', { data: 'x' })
    unsubscribe()
    await log.append('s', { data: 'b' })
    expect(seen.map((e) => e.data)).toEqual(['a'])
  })

  it.each([
    [{ capacity: 0 }],
    [{ capacity: 1.5 }],
    [{ epoch: 'has-dash' }],
    [{ epoch: '' }],
    [{ epoch: 'x'.repeat(33) }],
  ])('rejects invalid options %j with a typed error', (options) => {
    expect(() => memoryLog(options)).toThrowError(
      expect.objectContaining({ code: 'invalid-option' }),
    )
  })
})
