import { createParser, type EventSourceMessage } from 'eventsource-parser'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  blockExceeds,
  comment,
  controlEvent,
  eventBody,
  farewellBody,
  positionBlock,
  retryBlock,
  serializeEntry,
} from './serialize'

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

function parse(wire: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = []
  const parser = createParser({ onEvent: (event) => events.push(event) })
  parser.feed(wire)
  return events
}

describe('serialize', () => {
  it('leaves out the event line for the default type', () => {
    expect(text(serializeEntry({ id: 'e-1', type: 'message', data: 'hi' }))).toBe(
      'id: e-1\ndata: hi\n\n',
    )
    expect(text(serializeEntry({ id: 'e-2', type: 'price', data: '1' }))).toBe(
      'id: e-2\nevent: price\ndata: 1\n\n',
    )
  })

  it('splits data on every SSE line break into data lines', () => {
    expect(eventBody({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n')
    expect(eventBody({ data: '' })).toBe('data: \n\n')
  })

  it('round-trips any data and type through a spec parser', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
        (data, type) => {
          const [event] = parse(text(serializeEntry({ id: 'e-1', type, data })))
          // [spec] CRLF and CR in the data come back as LF: lines are joined with U+000A.
          expect(event?.data).toBe(data.replace(/\r\n|\r/g, '\n'))
          expect(event?.event ?? 'message').toBe(type)
          expect(event?.id).toBe('e-1')
        },
      ),
    )
  })

  it('writes control events with a data line, so they dispatch even when empty', () => {
    expect(text(controlEvent('reset', ''))).toBe('event: reset\ndata: \n\n')
    expect(parse(text(controlEvent('reset', '')))).toEqual([
      { event: 'reset', data: '', id: undefined },
    ])
    expect(text(controlEvent('close', '{"reconnect":false}'))).toBe(
      'event: close\ndata: {"reconnect":false}\n\n',
    )
  })

  it('writes the position block, retry hint and comments as the protocol fixes them', () => {
    expect(text(positionBlock('e-7'))).toBe('id: e-7\n\n')
    expect(parse('id: e-7\n\n')).toEqual([])
    expect(text(retryBlock(1000))).toBe('retry: 1000\n\n')
    expect(text(comment(''))).toBe(':\n\n')
    expect(text(comment('ok'))).toBe(': ok\n\n')
  })

  it('tells whether an event block exceeds a limit exactly as its UTF-8 bytes do', () => {
    const lineBroken = fc
      .array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\n', '\r', '\r\n')))
      .map((parts) => parts.join(''))
    fc.assert(
      fc.property(
        lineBroken,
        fc.option(fc.string({ unit: 'binary', maxLength: 8 }), { nil: undefined }),
        fc.nat(200),
        (data, type, limit) => {
          const bytes = new TextEncoder().encode(eventBody({ type, data })).byteLength
          expect(blockExceeds({ type, data }, limit)).toBe(bytes > limit)
        },
      ),
    )
  })

  it('answers after close with the retry hint, then the close event', () => {
    expect(text(farewellBody(1000, controlEvent('close', '{"reconnect":false}')))).toBe(
      'retry: 1000\n\nevent: close\ndata: {"reconnect":false}\n\n',
    )
  })
})
