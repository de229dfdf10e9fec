import { describe, expect, it } from 'vitest'
import { createDecoder } from './decoder'

function decode(chunks: (string | Uint8Array)[], maxMessageBytes = 1_048_576) {
  const out: string[] = []
  const decoder = createDecoder(
    {
      event: (e) => out.push(`event ${e.type} ${JSON.stringify(e.data)} ${e.id ?? '-'}`),
      id: (id) => out.push(`id ${JSON.stringify(id)}`),
      retry: (ms) => out.push(`retry ${ms}`),
      protocolError: (message) => out.push(`error ${message}`),
    },
    { maxMessageBytes },
  )
  for (const chunk of chunks) decoder.feed(chunk)
  return { out, decoder }
}

const bytes = (text: string) => new TextEncoder().encode(text)

/** Splits bytes at every position: each chunking must decode the same. */
function everySplit(text: string): Uint8Array[][] {
  const all = bytes(text)
  const result: Uint8Array[][] = []
  for (let i = 1; i < all.length; i++) result.push([all.slice(0, i), all.slice(i)])
  return result
}

describe('createDecoder', () => {
  it('dispatches events with type, data and id', () => {
    expect(decode(['event: price\ndata: 1\nid: 7\n\ndata: a\ndata: b\n\n']).out).toEqual([
      'event price "1" 7',
      'event message "a\\nb" -',
    ])
  })

  it('reports an id-only block followed in the same chunk by an event without an id', () => {
    expect(decode(['id: 7\n\ndata: x\n\n']).out).toEqual(['id "7"', 'event message "x" -'])
    expect(decode(['id: 7\n\nid: 8\ndata: x\n\n']).out).toEqual(['id "7"', 'event message "x" 8'])
  })

  it('stops on a single-line message over the limit that arrives whole', () => {
    const { out } = decode([`data: ${'z'.repeat(2_000)}\n\ndata: after\n\n`], 1_000)
    expect(out).toEqual(['error message exceeds maxMessageBytes (1000)'])
  })

  it('takes a message of exactly the limit however it is cut, its field name not counted', () => {
    const text = `data: ${'z'.repeat(100)}\n\nevent: price\ndata: ${'y'.repeat(100)}\n\n`
    for (const chunks of everySplit(text))
      expect(decode(chunks, 100).out).toEqual([
        `event message "${'z'.repeat(100)}" -`,
        `event price "${'y'.repeat(100)}" -`,
      ])
  })

  it('measures maxMessageBytes in UTF-8 bytes, as the WebSocket adapter does', () => {
    // 400 euro signs: 400 UTF-16 units, 1,200 bytes.
    const euros = '€'.repeat(400)
    expect(decode([`data: ${euros}\n\n`], 1_200).out).toEqual([`event message "${euros}" -`])
    expect(decode([`data: ${euros}\n\n`], 1_199).out).toEqual([
      'error message exceeds maxMessageBytes (1199)',
    ])
  })

  it('reports a block with an id and no data through id(), not as an event', () => {
    expect(decode(['id: 42\n\n', 'data: x\n\n', 'id:\n\n']).out).toEqual([
      'id "42"',
      'event message "x" -',
      'id ""',
    ])
  })

  it.each([
    ['LF', 'data: é€😀\nid: 1\n\n'],
    ['CR', 'data: é€😀\rid: 1\r\r'],
    ['CRLF', 'data: é€😀\r\nid: 1\r\n\r\n'],
  ])('decodes %s line ends split at every byte (CRLF and UTF-8 across chunks)', (_name, text) => {
    for (const chunks of everySplit(text)) {
      expect(decode(chunks).out).toEqual(['event message "é€😀" 1'])
    }
  })

  it('strips one BOM, even split across chunks, and only at the start', () => {
    const text = '\uFEFFdata: a\n\n'
    for (const chunks of everySplit(text))
      expect(decode(chunks).out).toEqual(['event message "a" -'])
    // [spec] a later U+FEFF is part of the field name, so that line is an unknown field.
    expect(decode([bytes('data: a\n\n'), bytes('\uFEFFdata: b\n\n')]).out).toEqual([
      'event message "a" -',
    ])
  })

  it('ignores comments and unknown fields, and strips one leading space only', () => {
    expect(decode([': hi\nfoo: bar\ndata:  two\n\n']).out).toEqual(['event message " two" -'])
  })

  it('ignores an id containing NULL and keeps retry digits only, clamped', () => {
    expect(
      decode(['id: a\u0000b\ndata: x\n\nretry: 12x\nretry: 3000\nretry: 99999999999\n\n']).out,
    ).toEqual(['event message "x" -', 'retry 3000', `retry ${2 ** 31 - 1}`])
  })

  it('does not dispatch empty data blocks or an unterminated final event', () => {
    expect(decode(['event: x\n\ndata: last']).out).toEqual([])
  })

  it('decodes a long line delivered in tiny chunks', () => {
    const data = 'x'.repeat(100_000)
    const text = `data: ${data}\n\n`
    const chunks: string[] = []
    for (let i = 0; i < text.length; i += 7) chunks.push(text.slice(i, i + 7))
    expect(decode(chunks).out).toEqual([`event message ${JSON.stringify(data)} -`])
  })

  it('stops with a protocol error on a message over maxMessageBytes, and ignores what follows', () => {
    const { out, decoder } = decode(
      ['data: ok\n\n', `data: ${'x'.repeat(2_000)}`, '\n\ndata: after\n\n'],
      1_000,
    )
    expect(out).toEqual(['event message "ok" -', 'error message exceeds maxMessageBytes (1000)'])
    expect(decoder.failed).toBe(true)
  })

  it('counts a multi-line message as a whole against the limit', () => {
    const line = `data: ${'y'.repeat(400)}\n`
    expect(decode([line, line, line, '\n'], 1_000).out).toEqual([
      'error message exceeds maxMessageBytes (1000)',
    ])
  })
})
