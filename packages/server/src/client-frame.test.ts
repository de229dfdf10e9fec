import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { type ClientFrame, MALFORMED_RESUME_POINT, parseClientFrame } from './client-frame'
import { isEventId } from './event-id'

/** The ways ws hands a frame over: one Buffer, an ArrayBuffer, or fragments. */
const rawShapes = (bytes: Uint8Array) =>
  fc.constantFrom(
    Buffer.from(bytes),
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    [
      Buffer.from(bytes.subarray(0, bytes.length >> 1)),
      Buffer.from(bytes.subarray(bytes.length >> 1)),
    ],
  )

const encode = (text: string) => new TextEncoder().encode(text)

/** What a hello must carry for a parsed JSON object, decided apart from the parser. */
function expectedId(value: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(value, 'lastEventId')) return undefined
  const id = value.lastEventId
  if (typeof id === 'string') return id
  if (id === null) return undefined
  // Only a number that no other written number parses to is its own decimal string.
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && !Object.is(id, -0))
    return String(id)
  return MALFORMED_RESUME_POINT
}

describe('parseClientFrame', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).lastEventId
    delete (Object.prototype as Record<string, unknown>).type
    delete (Object.prototype as Record<string, unknown>).from
  })

  it('never throws and reads no hello in arbitrary bytes, however ws delivers them', () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ maxLength: 256 })
          .chain((bytes) => fc.tuple(fc.constant(bytes), rawShapes(bytes))),
        fc.boolean(),
        ([bytes, raw], isBinary) => {
          const frame = parseClientFrame(raw, isBinary)
          if (isBinary) expect(frame).toBeUndefined()
          if (frame?.type !== 'hello') return
          // Arbitrary bytes that happen to parse: the id is exactly the one in the JSON.
          const text = Buffer.from(bytes).toString()
          expect(frame.lastEventId).toBe(expectedId(JSON.parse(text)))
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('takes a hello only from a JSON object whose own type is hello, with exactly the id it carries', () => {
    const hellos = fc
      .record(
        {
          type: fc.oneof(fc.constantFrom('hello', 'ping', 'Hello', ''), fc.jsonValue()),
          lastEventId: fc.oneof(
            fc.string(),
            fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/),
            fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }).map((n) => Number(n)),
            fc.double(),
            fc.jsonValue(),
          ),
          from: fc.oneof(fc.constantFrom('start', 'Start', 'end'), fc.jsonValue()),
          extra: fc.jsonValue(),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value))
    fc.assert(
      fc.property(fc.oneof(hellos, fc.json()), (text) => {
        const frame: ClientFrame | undefined = parseClientFrame(Buffer.from(text), false)
        const value: unknown = JSON.parse(text)
        const object = typeof value === 'object' && value !== null && !Array.isArray(value)
        const type = object ? (value as Record<string, unknown>).type : undefined
        if (!object || (type !== 'hello' && type !== 'ping')) {
          expect(frame).toBeUndefined()
          return
        }
        if (type === 'ping') {
          expect(frame).toEqual({ type: 'ping' })
          return
        }
        expect(frame).toEqual({
          type: 'hello',
          lastEventId: expectedId(value as Record<string, unknown>),
          fromStart: (value as Record<string, unknown>).from === 'start',
        })
      }),
      { numRuns: 2_000 },
    )
  })

  it('reads an integer the client wrote as exactly those digits, or as no id at all, never as another', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (n) => {
        const frame = parseClientFrame(Buffer.from(`{"type":"hello","lastEventId":${n}}`), false)
        const id = frame?.type === 'hello' ? frame.lastEventId : 'no hello'
        if (id !== String(n)) expect(id).toBe(MALFORMED_RESUME_POINT)
      }),
      { numRuns: 2_000 },
    )
    // The malformed marker is no id any log could hold: the hub answers it with reset.
    expect(isEventId(MALFORMED_RESUME_POINT)).toBe(false)
  })

  it.each([
    [
      'a number past 2^53, which a double rounds',
      '{"type":"hello","lastEventId":12345678901234567891}',
    ],
    ['a number too large for a double', '{"type":"hello","lastEventId":1e400}'],
    ['a fraction', '{"type":"hello","lastEventId":0.5}'],
    ['a negative number', '{"type":"hello","lastEventId":-5}'],
    ['minus zero', '{"type":"hello","lastEventId":-0}'],
    ['an object', '{"type":"hello","lastEventId":{"id":"a-1"}}'],
  ])('reads %s as a malformed resume point, never as another id', (_, text) => {
    expect(parseClientFrame(Buffer.from(text), false)).toMatchObject({
      type: 'hello',
      lastEventId: MALFORMED_RESUME_POINT,
    })
  })

  it('takes a whole number as its decimal string, and absent or null as a fresh connect', () => {
    const parse = (text: string) => parseClientFrame(Buffer.from(text), false)
    expect(parse('{"type":"hello","lastEventId":42}')).toMatchObject({
      type: 'hello',
      lastEventId: '42',
    })
    expect(parse('{"type":"hello","lastEventId":null}')).toMatchObject({
      type: 'hello',
      lastEventId: undefined,
    })
    expect(parse('{"type":"hello"}')).toMatchObject({
      type: 'hello',
      lastEventId: undefined,
    })
  })

  it('reads from=start only from a hello that says exactly that', () => {
    const parse = (text: string) => parseClientFrame(Buffer.from(text), false)
    expect(parse('{"type":"hello","from":"start"}')).toEqual({
      type: 'hello',
      lastEventId: undefined,
      fromStart: true,
    })
    for (const from of ['"START"', '"end"', 'true', '1', 'null', '["start"]'])
      expect(parse(`{"type":"hello","from":${from}}`)).toMatchObject({ fromStart: false })
    ;(Object.prototype as Record<string, unknown>).from = 'start'
    expect(parse('{"type":"hello"}')).toMatchObject({ fromStart: false })
  })

  it('reads no field from a polluted Object.prototype', () => {
    ;(Object.prototype as Record<string, unknown>).lastEventId = 'planted-1'
    expect(parseClientFrame(Buffer.from('{"type":"hello"}'), false)).toMatchObject({
      type: 'hello',
      lastEventId: undefined,
    })
    ;(Object.prototype as Record<string, unknown>).type = 'hello'
    expect(parseClientFrame(Buffer.from('{}'), false)).toBeUndefined()
  })

  it('reads a __proto__ key as data, not as a prototype', () => {
    const text = '{"type":"hello","__proto__":{"lastEventId":"planted-1"}}'
    expect(parseClientFrame(Buffer.from(text), false)).toMatchObject({
      type: 'hello',
      lastEventId: undefined,
    })
  })

  it('ignores binary frames and frames that are not one JSON object', () => {
    for (const text of [
      '',
      'hello',
      '["hello"]',
      '{"type":"hello"} x',
      '\ufeff{"type":"hello"}',
      'null',
    ])
      expect(parseClientFrame(Buffer.from(text), false)).toBeUndefined()
    expect(parseClientFrame(encode('{"type":"hello"}') as unknown as Buffer, true)).toBeUndefined()
  })
})
