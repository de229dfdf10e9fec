import { describe, expect, it } from 'vitest'
import { isHostAllowed } from './allowed-hosts'

describe('isHostAllowed', () => {
  it('allows every host without a list', () => {
    expect(isHostAllowed('anything.test', undefined)).toBe(true)
    expect(isHostAllowed(undefined, undefined)).toBe(true)
  })

  it.each([
    ['api.example.com', true],
    ['API.Example.COM:8443', true],
    ['api.example.com.', true],
    ['example.org', true],
    ['eu.example.org', true],
    ['deep.eu.example.org:80', true],
    ['127.0.0.1:8080', true],
    ['[::1]:8080', true],
    ['rebind.attacker.test', false],
    ['example.org.attacker.test', false],
    ['notexample.org', false],
    ['api.example.com@attacker.test', false],
    ['api.example.com/x', false],
    ['api.example.com:port', false],
    ['', false],
  ])('reads Host %j as allowed: %s', (host, allowed) => {
    expect(isHostAllowed(host, ['api.example.com', '.example.org', '127.0.0.1', '[::1]'])).toBe(
      allowed,
    )
  })

  it('refuses a request without a Host when there is a list', () => {
    expect(isHostAllowed(undefined, ['api.example.com'])).toBe(false)
    expect(isHostAllowed(null, ['api.example.com'])).toBe(false)
  })
})
