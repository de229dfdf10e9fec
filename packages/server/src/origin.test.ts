import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { isOriginAllowed, isSameHost } from './origin'

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage

describe('isSameHost', () => {
  it.each([
    ['http://example.com', 'example.com', true],
    ['https://example.com', 'example.com', true],
    ['https://example.com', 'example.com:443', true],
    ['http://example.com:8080', 'example.com:8080', true],
    ['https://Example.COM:8080', 'example.com:8080', true],
    ['http://127.0.0.1:3000', '127.0.0.1:3000', true],
    ['http://[::1]:3000', '[::1]:3000', true],
    ['http://example.com:8080', 'example.com:9090', false],
    ['http://example.com', 'example.com:8080', false],
    ['https://example.com', 'example.com:80', false],
    ['http://evil.com', 'example.com', false],
    ['null', 'example.com', false],
    ['file://', 'example.com', false],
  ])('%s against Host %s → %s', (origin, host, same) => {
    expect(isSameHost(origin, host)).toBe(same)
  })

  it('refuses when there is no Host header', () => {
    expect(isSameHost('http://example.com', undefined)).toBe(false)
  })
})

describe('isOriginAllowed', () => {
  it('accepts an upgrade without Origin (not a browser)', () => {
    expect(isOriginAllowed(request({ host: 'a.com' }), undefined)).toBe(true)
  })

  it('refuses a foreign origin by default', () => {
    expect(isOriginAllowed(request({ host: 'a.com', origin: 'http://b.com' }), undefined)).toBe(
      false,
    )
  })

  it('accepts a foreign origin listed in origins, by list or predicate', () => {
    const req = request({ host: 'a.com', origin: 'http://b.com' })
    expect(isOriginAllowed(req, ['http://b.com'])).toBe(true)
    expect(isOriginAllowed(req, ['http://c.com'])).toBe(false)
    expect(isOriginAllowed(req, (origin) => origin.endsWith('b.com'))).toBe(true)
  })
})
