import { describe, expect, it } from 'vitest'
import { parseOptions } from './options'

describe('the command line', () => {
  it('takes the URL and every option', () => {
    expect(
      parseOptions([
        'http://127.0.0.1:8080/events',
        '--ws',
        'ws://127.0.0.1:8080/events',
        '--publish',
        'curl -X POST http://127.0.0.1:8080/publish',
        '--restart',
        'systemctl restart events',
        '--header',
        'Authorization: Bearer x:y',
        '--timeout',
        '2000',
        '--heartbeat',
        '1000',
      ]),
    ).toEqual({
      url: new URL('http://127.0.0.1:8080/events'),
      ws: new URL('ws://127.0.0.1:8080/events'),
      publish: 'curl -X POST http://127.0.0.1:8080/publish',
      restart: 'systemctl restart events',
      headers: { authorization: 'Bearer x:y' },
      timeoutMs: 2000,
      heartbeatMs: 1000,
    })
  })

  it('has defaults for the bounds', () => {
    expect(parseOptions(['https://example.test/events'])).toMatchObject({
      ws: undefined,
      publish: undefined,
      restart: undefined,
      headers: {},
      timeoutMs: 10_000,
      heartbeatMs: 35_000,
    })
  })

  it('answers --help', () => {
    expect(parseOptions(['--help'])).toBe('help')
  })

  it.each([
    [[], 'give exactly one URL'],
    [['a', 'b'], 'give exactly one URL'],
    [['not a url'], 'the URL is not a URL'],
    [['ws://127.0.0.1/events'], 'the URL must be http: or https:'],
    [['http://127.0.0.1/events', '--ws', 'http://127.0.0.1/events'], '--ws must be ws: or wss:'],
    [['http://127.0.0.1/events', '--timeout', '0'], '--timeout must be a positive integer'],
    [['http://127.0.0.1/events', '--heartbeat', '1.5'], '--heartbeat must be a positive integer'],
    [['http://127.0.0.1/events', '--header', 'no-colon'], '--header must be "name: value"'],
    [['http://127.0.0.1/events', '--nope'], "Unknown option '--nope'"],
  ])('refuses %j', (args, message) => {
    expect(() => parseOptions(args)).toThrow(message)
  })
})
