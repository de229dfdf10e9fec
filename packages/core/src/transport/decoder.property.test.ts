import { createParser } from 'eventsource-parser'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_DELAY_MS } from '../policy/backoff'
import { createDecoder, FIELD_HEADROOM } from './decoder'

// Issue 15, "for the open internet": whatever bytes a server sends, cut wherever the network
// cuts them, the decoder never throws, never holds more than its limit and never
// dispatches a partial event. The reference is eventsource-parser fed the whole input at
// once, so every chunking must give what one parse of all the bytes gives.

/** What a decoder target is called with, in order. */
type Item =
  | { kind: 'event'; type: string; data: string; id: string | undefined }
  | { kind: 'id'; id: string }
  | { kind: 'retry'; ms: number }
  | { kind: 'error' }

const encoder = new TextEncoder()
/** [spec] "UTF-8 decode" strips one BOM: kept here so the parser strips it, exactly once. */
const decodeWhole = (bytes: Uint8Array) =>
  new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)

/** One parse of the whole text, reported as the decoder reports it. */
function reference(text: string): Item[] {
  const raw: Item[] = []
  const parser = createParser({
    onEvent: (m) => raw.push({ kind: 'event', type: m.event ?? 'message', data: m.data, id: m.id }),
    onId: (id) => raw.push({ kind: 'id', id }),
    onRetry: (ms) => raw.push({ kind: 'retry', ms: Math.min(ms, MAX_DELAY_MS) }),
  })
  parser.feed(text)
  // The parser reports a block's own id right before its event; the event carries it.
  return raw.filter(
    (item, i) => !(item.kind === 'id' && raw[i + 1]?.kind === 'event' && hasId(raw[i + 1])),
  )
}
const hasId = (item: Item | undefined) => item?.kind === 'event' && item.id !== undefined

const utf8Bytes = (text: string) => encoder.encode(text).length

/**
 * The longest block of `text` in UTF-16 units, field names and line ends included: an
 * upper bound of what the parser buffers for it, however it is cut. Blocks end at a blank
 * line ([spec] lines end at CRLF, LF or CR).
 */
function longestBlock(text: string): number {
  let longest = 0
  let block = 0
  for (const [, line = '', end = ''] of text.matchAll(/([^\r\n]*)(\r\n|\r|\n|$)/g)) {
    if (line === '' && end !== '') block = 0
    else block += line.length + end.length
    longest = Math.max(longest, block)
    if (end === '') break
  }
  return longest
}

/** Feeds `chunks` to a fresh decoder; after each, tells `afterFeed` whether it failed and how many it took. */
function decode(
  chunks: (Uint8Array | string)[],
  maxMessageBytes: number,
  afterFeed: (failed: boolean, fedSoFar: number) => void = () => {},
): Item[] {
  const out: Item[] = []
  const decoder = createDecoder(
    {
      event: (e) => out.push({ kind: 'event', type: e.type, data: e.data, id: e.id }),
      id: (id) => out.push({ kind: 'id', id }),
      retry: (ms) => out.push({ kind: 'retry', ms }),
      protocolError: () => out.push({ kind: 'error' }),
    },
    { maxMessageBytes },
  )
  chunks.forEach((chunk, i) => {
    decoder.feed(chunk)
    afterFeed(decoder.failed, i + 1)
  })
  return out
}

const terminator = fc.constantFrom('\n', '\r', '\r\n')

/** One line: mostly fields, some comments, unknown fields and near misses. */
const line = fc
  .tuple(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom('data:', 'data: ') },
      { weight: 4, arbitrary: fc.constantFrom('id:', 'id: ', 'event:', 'event: ', 'retry:') },
      { weight: 2, arbitrary: fc.constantFrom(':', 'x:', 'data', 'id', ' data:', 'Data:', '') },
    ),
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.constantFrom('é', '€€', '😀', 'a\u0000b', '\uFEFF', '1000', '99999999999', ''),
      fc.string({ unit: fc.constantFrom('x', '€'), minLength: 10, maxLength: 50 }),
    ),
    terminator,
  )
  .map((parts) => encoder.encode(parts.join('')))

/** Bytes that break text: invalid UTF-8, BOMs, and noise. */
const noise = fc.oneof(
  fc
    .constantFrom(
      [0xef, 0xbb, 0xbf], // a BOM
      [0xef, 0xbb], // half of one
      [0xff],
      [0xc3], // a lead byte with nothing after it
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf0, 0x9f, 0x98], // three bytes of a four-byte character
      [0x80, 0x80],
    )
    .map((bytes) => Uint8Array.from(bytes)),
  fc.uint8Array({ maxLength: 6 }),
)

const input = fc
  .tuple(
    // A BOM, two (the second is text), and a BOM's bytes read as Latin-1, which
    // eventsource-parser strips as well: the reference shares that choice.
    fc.constantFrom('', '\uFEFF', '\uFEFF\uFEFF', 'ï»¿'),
    fc.array(
      fc.oneof(
        { weight: 6, arbitrary: line },
        { weight: 3, arbitrary: terminator.map((end) => encoder.encode(end)) },
        { weight: 1, arbitrary: noise },
      ),
      { maxLength: 24 },
    ),
  )
  .map(([start, parts]) =>
    Uint8Array.from([...encoder.encode(start), ...parts.flatMap((part) => [...part])]),
  )

/** Cut points, sorted, repeats allowed (an empty chunk): `length` + 1 positions to cut at. */
const cuts = fc.array(fc.nat(), { maxLength: 14 })
function cutAt<T extends Uint8Array | string>(whole: T, points: number[]): T[] {
  const at = points.map((p) => p % (whole.length + 1)).sort((a, b) => a - b)
  const chunks: T[] = []
  let from = 0
  for (const to of [...at, whole.length]) {
    chunks.push(whole.slice(from, to) as T)
    from = to
  }
  return chunks
}

/** The same stream as bytes off a socket (SSE) or as text frames (WebSocket). */
const delivery = fc.constantFrom<'bytes' | 'text'>('bytes', 'text')
function chunked(
  bytes: Uint8Array,
  points: number[],
  as: 'bytes' | 'text',
): (Uint8Array | string)[] {
  return as === 'bytes' ? cutAt(bytes, points) : cutAt(decodeWhole(bytes), points)
}

/** The text the decoder has been given after `count` chunks. */
function textOf(chunks: (Uint8Array | string)[], count: number): string {
  const streaming = new TextDecoder('utf-8', { ignoreBOM: true })
  return chunks
    .slice(0, count)
    .map((chunk) => (typeof chunk === 'string' ? chunk : streaming.decode(chunk, { stream: true })))
    .join('')
}

describe('createDecoder over arbitrary bytes and chunkings', () => {
  it('never throws, and every chunking dispatches what one parse of the whole input does', () => {
    fc.assert(
      fc.property(input, cuts, delivery, (bytes, points, as) => {
        const out = decode(chunked(bytes, points, as), 1_048_576)
        expect(out).toEqual(reference(decodeWhole(bytes)))
      }),
      { numRuns: 1_000 },
    )
  })

  it('stops at the limit: one protocol error, nothing after it, and only whole events before it', () => {
    fc.assert(
      fc.property(
        input,
        cuts,
        delivery,
        fc.integer({ min: 1, max: 120 }),
        (bytes, points, as, max) => {
          const whole = decodeWhole(bytes)
          const expected = reference(whole)
          const out = decode(chunked(bytes, points, as), max)
          const errorAt = out.findIndex((item) => item.kind === 'error')
          const before = errorAt === -1 ? out : out.slice(0, errorAt)
          // One error at most, and it is the last thing reported.
          expect(errorAt === -1 || errorAt === out.length - 1).toBe(true)
          // Before it, exactly what one parse of all the bytes starts with.
          expect(before).toEqual(expected.slice(0, before.length))
          const tooLarge = expected.findIndex(
            (item) => item.kind === 'event' && utf8Bytes(item.data) > max,
          )
          if (tooLarge !== -1) {
            // docs/configuration.md: a message over the limit, its data in UTF-8 bytes, closes it.
            expect(errorAt).not.toBe(-1)
            expect(before.length).toBeLessThanOrEqual(tooLarge)
          }
          if (errorAt === -1) expect(out).toEqual(expected)
          // Where no block's text could outgrow the limit, the cuts cannot matter: the error
          // comes exactly at the first message too large, as when the bytes arrive whole.
          if (longestBlock(whole) <= max + FIELD_HEADROOM)
            expect(out).toEqual(
              tooLarge === -1 ? expected : [...expected.slice(0, tooLarge), { kind: 'error' }],
            )
        },
      ),
      { numRuns: 1_000 },
    )
  })

  // The parser bounds what it holds in UTF-16 units (a string's length); the bytes of a
  // message are checked when it is complete. So the bound here is in units: a block of
  // '€' may hold up to three times the limit in UTF-8 bytes before it fails at dispatch.
  it('never holds more of an unfinished message than maxMessageBytes UTF-16 units, and a field name', () => {
    fc.assert(
      fc.property(
        input,
        cuts,
        delivery,
        fc.integer({ min: 1, max: 120 }),
        (bytes, points, as, max) => {
          const chunks = chunked(bytes, points, as)
          decode(chunks, max, (failed, fed) => {
            if (failed) return
            // What the parser must be holding now: the data of the block under way, as a
            // blank line would dispatch it (a partial data line included).
            const text = textOf(chunks, fed)
            const done = reference(text).length
            const flushed = reference(`${text}\n\n`).slice(done)
            for (const item of flushed)
              if (item.kind === 'event')
                expect(item.data.length).toBeLessThanOrEqual(max + FIELD_HEADROOM)
          })
        },
      ),
      { numRuns: 500 },
    )
  })
})
