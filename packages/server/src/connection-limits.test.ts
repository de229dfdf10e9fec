import { describe, expect, it } from 'vitest'
import { createConnectionLimits, type Place } from './connection-limits'

const place = (claimed: Place | string): Place => {
  if (typeof claimed === 'string') throw new Error(`no place: ${claimed}`)
  return claimed
}

describe('connection limits', () => {
  it('gives maxClients places, then hub-full until one is released', () => {
    const limits = createConnectionLimits(2, undefined)
    const first = place(limits.claim('10.0.0.1'))
    place(limits.claim(undefined))
    expect(limits.claim('10.0.0.2')).toBe('hub-full')
    first.release()
    first.release()
    place(limits.claim('10.0.0.2'))
    expect(limits.claim('10.0.0.3')).toBe('hub-full')
  })

  it('gives each address maxPerAddress places, counting an IPv6 /64 as one address', () => {
    const limits = createConnectionLimits(100, 2)
    const held = [place(limits.claim('2001:db8::1')), place(limits.claim('2001:db8::2'))]
    expect(limits.claim('2001:db8:0:0:ffff::3')).toBe('address-full')
    place(limits.claim('2001:db8:0:1::1'))
    place(limits.claim(undefined))
    place(limits.claim(undefined))
    place(limits.claim(undefined))
    held[0]!.release()
    place(limits.claim('2001:db8::3'))
    expect(limits.claim('2001:db8::4')).toBe('address-full')
  })

  it('says address-full before hub-full, so the client that is over its share is told so', () => {
    const limits = createConnectionLimits(1, 1)
    place(limits.claim('10.0.0.1'))
    expect(limits.claim('10.0.0.1')).toBe('address-full')
    expect(limits.claim('10.0.0.2')).toBe('hub-full')
  })
})
