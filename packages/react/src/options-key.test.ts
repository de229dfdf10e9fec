import { scriptedTransport } from '@lifeline/testkit/doubles/scripted-transport'
import { describe, expect, it } from 'vitest'
import { type EventStreamOptions, optionsKey } from './options-key'

const base = (extra: Partial<EventStreamOptions> = {}): EventStreamOptions => ({
  url: 'http://127.0.0.1:1/events',
  transports: [scriptedTransport('sse-fetch')],
  ...extra,
})
const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} }
const token = async () => ({ authorization: 'Bearer a' })

describe('optionsKey', () => {
  const same: [string, EventStreamOptions, EventStreamOptions][] = [
    ['new transports with the same names', base(), base()],
    [
      'strategy objects with the same fields in another order',
      base({ strategy: { resetAfter: 3, fallbackAfter: 1 } }),
      base({ strategy: { fallbackAfter: 1, resetAfter: 3 } }),
    ],
    [
      'two headers functions (the hook calls the latest)',
      base({ headers: token }),
      base({ headers: async () => ({ authorization: 'Bearer b' }) }),
    ],
    [
      'headers as an object, a Headers and entries',
      base({ headers: { 'X-Room': '1' } }),
      base({ headers: new Headers([['x-room', '1']]) }),
    ],
    [
      'a URL and its string',
      base({ url: new URL('http://127.0.0.1:1/events') }),
      base({ url: 'http://127.0.0.1:1/events' }),
    ],
    ['an option left undefined and one left out', base({ lastEventId: undefined }), base()],
    [
      'an environment written inline around the same clock',
      base({ environment: { clock } }),
      base({ environment: { clock } }),
    ],
  ]
  for (const [name, a, b] of same)
    it(`is the same for ${name}`, () => expect(optionsKey(a)).toBe(optionsKey(b)))

  const different: [string, EventStreamOptions, EventStreamOptions][] = [
    ['another url', base(), base({ url: 'http://127.0.0.1:1/other' })],
    [
      'transports in another order',
      base({ transports: [scriptedTransport('sse-fetch'), scriptedTransport('websocket')] }),
      base({ transports: [scriptedTransport('websocket'), scriptedTransport('sse-fetch')] }),
    ],
    ['another strategy', base({ strategy: 'none' }), base({ strategy: 'resilient' })],
    ['another header value', base({ headers: { a: '1' } }), base({ headers: { a: '2' } })],
    ['a headers function against a value', base({ headers: token }), base({ headers: {} })],
    ['another resume point', base({ lastEventId: '1' }), base({ lastEventId: '2' })],
    ['another backoff', base({ backoff: { initial: 100 } }), base({ backoff: { initial: 200 } })],
    [
      'a clock with another function',
      base({ environment: { clock } }),
      base({ environment: { clock: { ...clock, now: () => 1 } } }),
    ],
    [
      'another random function',
      base({ environment: { random: () => 0.5 } }),
      base({ environment: { random: Math.random } }),
    ],
  ]
  for (const [name, a, b] of different)
    it(`differs for ${name}`, () => expect(optionsKey(a)).not.toBe(optionsKey(b)))

  it('does not throw on options createClient will refuse', () => {
    const bad = {
      url: 42,
      transports: 'none',
      headers: { 'bad name': 'x' },
    } as unknown as EventStreamOptions
    expect(typeof optionsKey(bad)).toBe('string')
  })
})
