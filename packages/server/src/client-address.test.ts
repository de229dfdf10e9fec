import { describe, expect, it } from 'vitest'
import { addressKey, clientAddress } from './client-address'

describe('clientAddress', () => {
  it('is the peer unless proxies are trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('10.0.0.9', '6.6.6.6', 0)).toBe('10.0.0.9')
    expect(clientAddress('10.0.0.9', undefined, 1)).toBe('10.0.0.9')
  })

  it.each([
    ['client', 1, 'client'],
    ['forged, client', 1, 'client'],
    ['forged, client, proxy-1', 2, 'client'],
    ['forged, client, proxy-1', 1, 'proxy-1'],
    ['client', 3, 'client'],
    [' , client ,', 1, 'client'],
  ])('reads %j behind %i trusted proxies as %j', (header, proxies, expected) => {
    expect(clientAddress('10.0.0.9', header, proxies)).toBe(expected)
  })
})

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::9]', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['not-an-ip', 'not-an-ip'],
    ['1:2:3', '1:2:3'],
    ['1::2::3', '1::2::3'],
  ])('counts %j as %j', (address, key) => {
    expect(addressKey(address)).toBe(key)
  })
})
