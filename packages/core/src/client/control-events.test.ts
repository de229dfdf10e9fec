import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CloseInstructions, parseCloseData } from './control-events'

describe('parseCloseData', () => {
  it.each([
    ['Connection closed', true, undefined],
    ['', true, undefined],
    ['{"reconnect":false}', false, undefined],
    ['{"reconnect":true,"retry":1000}', true, 1000],
    ['{"retry":-5}', true, undefined],
    ['{"retry":"soon"}', true, undefined],
    ['{not json', true, undefined],
  ])('%j → reconnect %s, retry %s', (data, reconnect, retry) => {
    expect(parseCloseData(data)).toEqual({ reconnect, retry })
  })
})

/** The documented shape, and nothing else: a reconnect flag and a usable wait or none. */
function expectInstructions(parsed: CloseInstructions): void {
  expect(Object.keys(parsed).sort()).toEqual(['reconnect', 'retry'])
  expect(typeof parsed.reconnect).toBe('boolean')
  if (parsed.retry !== undefined) {
    expect(Number.isFinite(parsed.retry)).toBe(true)
    expect(parsed.retry).toBeGreaterThanOrEqual(0)
  }
}

/** Values a rogue server may put where the fields go, JSON-expressible or not. */
const fieldValue = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.jsonValue(),
  fc.double(),
  fc.constantFrom('1e400', '-1e400', 'NaN', '1e3', '0x10', '-0', 'true', '"false"'),
)

/** JSON text: objects with the fields among others, and any JSON value at all. */
const jsonText = fc.oneof(
  fc
    .tuple(
      fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
      fc.option(fieldValue, { nil: undefined }),
      fc.option(fieldValue, { nil: undefined }),
    )
    .map(([rest, reconnect, retry]) => {
      const fields = [
        ...Object.entries(rest).map(
          ([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`,
        ),
        // Written raw: a number past what a double holds reaches the parser as written.
        ...(reconnect === undefined ? [] : [`"reconnect":${raw(reconnect)}`]),
        ...(retry === undefined ? [] : [`"retry":${raw(retry)}`]),
      ]
      return `{${fields.join(',')}}`
    }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
)
const raw = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

describe('parseCloseData over arbitrary input (issue 15, for the open internet)', () => {
  it('never throws and returns the documented shape for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string().map((s) => `{${s}`),
        ),
        (data) => expectInstructions(parseCloseData(data)),
      ),
      { numRuns: 1_000 },
    )
  })

  it('reads JSON of any shape: stops only on reconnect false, waits only on a usable retry', () => {
    fc.assert(
      fc.property(jsonText, (data) => {
        const parsed = parseCloseData(data)
        expectInstructions(parsed)
        // What the JSON says, read apart from the parser: an object's own fields only, and
        // none in text that is not JSON (NaN, a number written with a sign of its own).
        let value: unknown
        try {
          value = JSON.parse(data)
        } catch {
          value = undefined
        }
        const fields =
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? (value as Record<string, unknown>)
            : {}
        const retry = Object.hasOwn(fields, 'retry') ? fields.retry : undefined
        expect(parsed.reconnect).toBe(
          !(Object.hasOwn(fields, 'reconnect') && fields.reconnect === false),
        )
        expect(parsed.retry).toBe(
          typeof retry === 'number' && Number.isFinite(retry) && retry >= 0 ? retry : undefined,
        )
      }),
      { numRuns: 1_000 },
    )
  })
})
