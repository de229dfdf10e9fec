import { describe, expect, it } from 'vitest'
import { bodyScannerFor } from './response-framing'

const head = (status: string, ...fields: string[]) => [`HTTP/1.1 ${status}`, ...fields].join('\r\n')

/** Feeds `body` in pieces of `size` bytes; the offset of the end within the whole, if found. */
function endOf(status: string, fields: string[], body: string, size: number): number | undefined {
  const scanner = bodyScannerFor(head(status, ...fields))
  if (scanner === undefined) throw new Error('no framing')
  const bytes = Buffer.from(body, 'latin1')
  for (let at = 0; at < bytes.length; at += size) {
    const end = scanner.push(bytes.subarray(at, at + size))
    if (end !== undefined) return at + end
  }
  return undefined
}

const chunked = ['transfer-encoding: chunked']
const CHUNKED_BODY = '5\r\nhello\r\nA;ext=1\r\n0123456789\r\n0\r\n\r\n'

describe('bodyScannerFor', () => {
  it.each([1, 2, 3, 7, 1000])('finds the end of a chunked body fed %i bytes at a time', (size) => {
    expect(endOf('200 OK', chunked, `${CHUNKED_BODY}HTTP/1.1 200 OK`, size)).toBe(
      CHUNKED_BODY.length,
    )
  })

  it('reads trailers after the last chunk to the blank line', () => {
    const body = '3\r\nabc\r\n0\r\nx-check: 1\r\n\r\n'
    expect(endOf('200 OK', chunked, body, 4)).toBe(body.length)
  })

  it('does not end a chunked body before its last chunk', () => {
    expect(endOf('200 OK', chunked, '5\r\nhel', 1)).toBeUndefined()
  })

  it.each([1, 3, 100])('ends a Content-Length body after its bytes, fed %i at a time', (size) => {
    expect(endOf('200 OK', ['Content-Length: 10'], '0123456789rest', size)).toBe(10)
  })

  it.each(['204 No Content', '304 Not Modified'])('gives %s no body', (status) => {
    expect(bodyScannerFor(head(status))?.done).toBe(true)
  })

  it.each([
    ['no length', head('200 OK', 'content-type: text/event-stream')],
    ['an upgrade', head('101 Switching Protocols', 'upgrade: websocket')],
    ['a gzip-only encoding', head('200 OK', 'transfer-encoding: gzip')],
  ])('leaves a response with %s to the end of the connection', (_, text) => {
    expect(bodyScannerFor(text)).toBeUndefined()
  })
})
