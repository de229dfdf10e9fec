import { describe, expect, it } from 'vitest'
import {
  createBlockReader,
  isAppEvent,
  isControl,
  isPosition,
  isRetryHint,
  type WireItem,
} from './blocks'

const read = (...pieces: string[]) => {
  const reader = createBlockReader()
  return { items: pieces.flatMap((piece) => reader.feed(piece)), partial: reader.partial }
}

describe('the block reader', () => {
  it('reads blocks with their fields and comments, in order', () => {
    expect(
      read('retry: 1000\n\n: hi\nid: 3\nevent: price\ndata: a\ndata: b\n\nid: 3\n\n').items,
    ).toEqual([
      { kind: 'block', retry: '1000' },
      { kind: 'comment', text: 'hi' },
      { kind: 'block', id: '3', event: 'price', data: 'a\nb' },
      { kind: 'block', id: '3' },
    ])
  })

  it('ends lines at CRLF, CR and LF, also split across pieces', () => {
    expect(read('data: a\r', '\ndata: b\r\r', 'data: c\n', '\n').items).toEqual([
      { kind: 'block', data: 'a\nb' },
      { kind: 'block', data: 'c' },
    ])
  })

  it('takes a CR that ended a piece and a CR that starts the next as two line ends', () => {
    expect(read('data: a\r', '\rdata: b\n\n').items).toEqual([
      { kind: 'block', data: 'a' },
      { kind: 'block', data: 'b' },
    ])
  })

  it('drops one leading BOM and one space after the colon, and ignores unknown fields', () => {
    expect(read('\uFEFFdata:  x\nfoo: bar\n\n').items).toEqual([{ kind: 'block', data: ' x' }])
  })

  it('knows a piece that ends inside a line or a block', () => {
    expect(read('data: a\n\ndata: b').partial).toBe(true)
    expect(read('data: a\n').partial).toBe(true)
    expect(read('data: a\n\n').partial).toBe(false)
  })

  it('refuses a line without end past 1 MiB', () => {
    const reader = createBlockReader()
    expect(() => reader.feed(`data: ${'x'.repeat(1_048_577)}`)).toThrow('a line over')
  })
})

describe('what a block is', () => {
  const items: Record<string, WireItem> = {
    event: { kind: 'block', data: 'a', id: '1' },
    reset: { kind: 'block', event: 'reset', data: '' },
    bareReset: { kind: 'block', event: 'reset' },
    position: { kind: 'block', id: '1' },
    retry: { kind: 'block', retry: '1000' },
    badRetry: { kind: 'block', retry: '1s' },
    comment: { kind: 'comment', text: '' },
  }
  it.each([
    ['an app event', isAppEvent, ['event']],
    ['a control event', isControl, ['reset']],
    ['the position block', isPosition, ['position']],
    ['a retry hint', isRetryHint, ['retry']],
  ])('%s', (_, is, names) => {
    expect(Object.keys(items).filter((name) => is(items[name]!))).toEqual(names)
  })
})
