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

  it('reads the newest entries oldest first, and the head even on an empty stream', async () => {
    const log = memoryLog({ epoch: 'e', capacity: 3 })
    expect(await log.readNewest('s', 10)).toEqual({ entries: [], head: 'e-0' })
    for (let i = 1; i <= 5; i++) await log.append('s', { data: String(i) })
    const all = await log.readNewest('s', 10)
    // Only what it retains: capacity 3.
    expect(all.entries.map((e) => e.data)).toEqual(['3', '4', '5'])
    expect(all.head).toBe('e-5')
    const two = await log.readNewest('s', 2)
    expect(two.entries.map((e) => e.id)).toEqual(['e-4', 'e-5'])
    expect((await log.readNewest('s', 0)).entries).toEqual([])
  })

  it.each([
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

  it('answers an id of another epoch (before a restart) with lost and its entries from the first', async () => {
    const log = memoryLog({ epoch: 'e', capacity: 5 })
    expect(await log.readAfter('s', 'old-3', 10)).toEqual({
      kind: 'lost',
      entries: [],
      head: 'e-0',
    })
    for (let i = 1; i <= 3; i++) await log.append('s', { data: String(i) })
    const all = await log.readAfter('s', 'old-3', 10)
    expect(all).toEqual({
      kind: 'lost',
      entries: [1, 2, 3].map((i) => ({ id: `e-${i}`, type: 'message', data: String(i) })),
      head: 'e-3',
    })
    // The newest `limit`, and never more than the ring retains.
    const two = await log.readAfter('s', 'old-3', 2)
    expect(two.kind === 'lost' && two.entries.map((e) => e.id)).toEqual(['e-2', 'e-3'])
    for (let i = 4; i <= 8; i++) await log.append('s', { data: String(i) })
    const kept = await log.readAfter('s', 'old-3', 10)
    expect(kept.kind === 'lost' && kept.entries.map((e) => e.id)).toEqual([
      'e-4',
      'e-5',
      'e-6',
      'e-7',
      'e-8',
    ])
  })

  it('stores an event once per idempotency key, per stream, and answers a repeat with the first entry', async () => {
    const log = memoryLog({ epoch: 'e' })
    const first = await log.append('s', { type: 'order', data: 'a' }, { key: 'k1' })
    const again = await log.append('s', { data: 'different' }, { key: 'k1' })
    expect(again).toEqual(first)
    const other = await log.append('t', { data: 'a' }, { key: 'k1' })
    expect(other.id).toBe('e-1')
    await log.append('s', { data: 'b' }, { key: 'k2' })
    await log.append('s', { data: 'c' })
    const read = await log.readAfter('s', 'e-0', 10)
    expect(read.kind === 'entries' && read.entries.map((e) => e.data)).toEqual(['a', 'b', 'c'])
  })

  it('forgets a key once its entry is evicted', async () => {
    const log = memoryLog({ epoch: 'e', capacity: 2 })
    const first = await log.append('s', { data: 'a' }, { key: 'k' })
    await log.append('s', { data: 'b' }, { key: 'other' })
    expect((await log.append('s', { data: 'a' }, { key: 'k' })).id).toBe(first.id)
    await log.append('s', { data: 'c' })
    // `first` is evicted: the key is free again and stores a new event.
    const later = await log.append('s', { data: 'a' }, { key: 'k' })
    expect(later.id).toBe('e-4')
    for (let i = 0; i < 100; i++) await log.append('s', { data: 'x' }, { key: `many-${i}` })
    expect((await log.append('s', { data: 'x' }, { key: 'many-99' })).id).toBe('e-104')
    expect((await log.append('s', { data: 'x' }, { key: 'many-97' })).id).toBe('e-105')
  })

  it('does not hand a repeated key to subscribers again', async () => {
    const log = memoryLog({ epoch: 'e' })
    const seen: string[] = []
    const unsubscribe = log.subscribe('s', (entry) => seen.push(entry.id))
    await log.append('s', { data: 'a' }, { key: 'k' })
    await log.append('s', { data: 'a' }, { key: 'k' })
    unsubscribe()
    expect(seen).toEqual(['e-1'])
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
