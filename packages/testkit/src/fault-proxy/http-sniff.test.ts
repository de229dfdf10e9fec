import { describe, expect, it } from 'vitest'
import {
  matchesRoute,
  parseRequestHead,
  RequestSniffer,
  ResponseHeadScanner,
  type RouteMatch,
  type SniffedRequest,
  statusResponse,
} from './http-sniff'

const head = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`)

describe('RequestSniffer', () => {
  it('holds a head split over chunks back until it is complete', () => {
    const sniffer = new RequestSniffer()
    const bytes = head(['GET /events?since=4 HTTP/1.1', 'Host: x', 'Accept: text/event-stream'])
    expect(sniffer.push(bytes.subarray(0, 10))).toEqual([])
    expect(sniffer.push(bytes.subarray(10, 30))).toEqual([])
    const [segment] = sniffer.push(bytes.subarray(30))
    expect(segment?.bytes.equals(bytes)).toBe(true)
    expect(segment?.request).toMatchObject({
      method: 'GET',
      target: '/events?since=4',
      path: '/events',
      httpVersion: '1.1',
      headers: { host: 'x', accept: 'text/event-stream' },
      upgrade: false,
    })
  })

  it('follows keep-alive requests across a content-length body', () => {
    const sniffer = new RequestSniffer()
    const first = head(['POST /a HTTP/1.1', 'Content-Length: 5'])
    const second = head(['GET /b HTTP/1.1'])
    const segments = sniffer.push(Buffer.concat([first, Buffer.from('GET /'), second]))
    expect(segments.map((s) => s.request?.path)).toEqual(['/a', undefined, '/b'])
    expect(segments[1]?.bytes.toString()).toBe('GET /')
    expect(sniffer.opaque).toBe(false)
  })

  it.each([
    ['a WebSocket upgrade', ['GET /ws HTTP/1.1', 'Connection: Upgrade', 'Upgrade: websocket']],
    ['a chunked body', ['POST /a HTTP/1.1', 'Transfer-Encoding: chunked']],
  ])('stops looking after %s and passes what follows untouched', (_, lines) => {
    const sniffer = new RequestSniffer()
    const [first] = sniffer.push(head(lines))
    expect(first?.request).toBeDefined()
    const after = Buffer.from('GET / HTTP/1.1\r\n\r\n')
    expect(sniffer.push(after)).toEqual([{ bytes: after }])
    expect(sniffer.opaque).toBe(true)
  })

  it.each([
    ['binary bytes', Buffer.from([0x16, 0x03, 0x01, 0x00])],
    ['lower-case text', Buffer.from('hello there\r\n\r\n')],
    ['a request line of another protocol', Buffer.from('GET / SPDY/3\r\n\r\n')],
  ])('passes %s through as not HTTP', (_, bytes) => {
    const sniffer = new RequestSniffer()
    expect(sniffer.push(bytes)).toEqual([{ bytes }])
    expect(sniffer.opaque).toBe(true)
  })

  it('gives up on a head longer than 64 KiB rather than hold it forever', () => {
    const sniffer = new RequestSniffer()
    const bytes = Buffer.from(`GET /${'a'.repeat(70_000)}`)
    expect(sniffer.push(bytes)).toEqual([{ bytes }])
    expect(sniffer.opaque).toBe(true)
  })
})

describe('parseRequestHead', () => {
  it('joins repeated headers and lower-cases names', () => {
    const request = parseRequestHead('GET / HTTP/1.0\r\nX-A: 1\r\nx-a: 2')
    expect(request?.headers).toEqual({ 'x-a': '1, 2' })
  })

  it('sees an upgrade only with both Upgrade and Connection: upgrade', () => {
    expect(parseRequestHead('GET / HTTP/1.1\r\nUpgrade: websocket')?.upgrade).toBe(false)
    const both = 'GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade'
    expect(parseRequestHead(both)?.upgrade).toBe(true)
  })
})

describe('matchesRoute', () => {
  const request: SniffedRequest = {
    method: 'GET',
    target: '/events?x=1',
    path: '/events',
    httpVersion: '1.1',
    headers: { accept: 'text/event-stream, */*', 'last-event-id': '42' },
    upgrade: false,
  }
  const upgrade: SniffedRequest = { ...request, headers: {}, upgrade: true }

  it.each<[string, RouteMatch, SniffedRequest | undefined, boolean]>([
    ['{} matches HTTP', {}, request, true],
    ['{} matches non-HTTP', {}, undefined, true],
    ['a condition never matches non-HTTP', { path: '/' }, undefined, false],
    ['a path prefix', { path: '/ev' }, request, true],
    ['another path prefix', { path: '/ws' }, request, false],
    ['a path RegExp, without the query', { path: /^\/events$/ }, request, true],
    ['the method', { method: 'POST' }, request, false],
    ['a header substring, any case', { headers: { Accept: 'TEXT/EVENT-STREAM' } }, request, true],
    ['a header RegExp', { headers: { 'last-event-id': /^\d+$/ } }, request, true],
    ['a missing header', { headers: { authorization: '' } }, request, false],
    [
      'the SSE accept header on an upgrade',
      { headers: { accept: 'event-stream' } },
      upgrade,
      false,
    ],
    ['upgrade: false on a plain request', { upgrade: false }, request, true],
    ['upgrade: false on an upgrade', { upgrade: false }, upgrade, false],
    ['a where test', { where: (r) => r.headers['last-event-id'] === '42' }, request, true],
    ['every condition at once', { path: '/events', upgrade: true }, request, false],
  ])('%s', (_, match, input, expected) => {
    expect(matchesRoute(match, input)).toBe(expected)
  })
})

describe('ResponseHeadScanner', () => {
  it('finds the end of a head split inside the blank line', () => {
    const scanner = new ResponseHeadScanner()
    expect(scanner.push(Buffer.from('HTTP/1.1 200 OK\r\nA: b\r\n\r'))).toBeUndefined()
    expect(scanner.push(Buffer.from('\nbody'))).toBe(1)
  })

  it('finds it inside one chunk', () => {
    const scanner = new ResponseHeadScanner()
    expect(scanner.push(Buffer.from('HTTP/1.1 204 No Content\r\n\r\nrest'))).toBe(27)
  })

  it('keeps the head it found, across chunks, without the blank line', () => {
    const scanner = new ResponseHeadScanner()
    expect(scanner.head).toBeUndefined()
    scanner.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-'))
    scanner.push(Buffer.from('Length: 3\r\n\r\nabc'))
    expect(scanner.head).toBe('HTTP/1.1 200 OK\r\nContent-Length: 3')
  })
})

describe('statusResponse', () => {
  it('builds a complete response that closes the connection', () => {
    const text = statusResponse(502, undefined, { 'Retry-After': '1' }).toString()
    expect(text).toBe(
      'HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain; charset=utf-8\r\nretry-after: 1\r\n' +
        'content-length: 16\r\nconnection: close\r\n\r\n502 Bad Gateway\n',
    )
  })
})
