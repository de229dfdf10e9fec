import { describe, expect, it } from 'vitest'
import { websocketUrl } from './url'

describe('websocketUrl', () => {
  it.each([
    ['http://example.com/events?stream=a', undefined, 'ws://example.com/events?stream=a'],
    ['https://example.com:8443/e?x=1&y=2', undefined, 'wss://example.com:8443/e?x=1&y=2'],
    ['https://example.com/events#top', undefined, 'wss://example.com/events'],
    ['https://example.com/events', '/ws?s=1', 'wss://example.com/ws?s=1'],
    ['http://example.com/events', 'wss://other.example/ws', 'wss://other.example/ws'],
    ['http://example.com/events', 'https://other.example/ws', 'wss://other.example/ws'],
    ['http://example.com/events', new URL('ws://127.0.0.1:9/x'), 'ws://127.0.0.1:9/x'],
  ])('maps %s with url option %s to %s', (client, option, expected) => {
    expect(websocketUrl(new URL(client), option).href).toBe(expected)
  })
})
