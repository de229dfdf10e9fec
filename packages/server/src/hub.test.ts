import { describe, expect, it } from 'vitest'
import { createHub } from './hub'
import { memoryLog } from './memory-log'

describe('hub.publish', () => {
  it('resolves with the id the log assigned', async () => {
    const hub = createHub({ log: memoryLog({ epoch: 'e' }) })
    expect(await hub.publish('s', { data: 'a' })).toBe('e-1')
    expect(await hub.publish('s', { type: 'price', data: 'b' })).toBe('e-2')
  })

  it('rejects an event over maxMessageBytes with message-too-large', async () => {
    const hub = createHub({ maxMessageBytes: 100 })
    await expect(hub.publish('s', { data: 'é'.repeat(60) })).rejects.toMatchObject({
      code: 'message-too-large',
    })
    await expect(hub.publish('s', { data: 'x'.repeat(80) })).resolves.toBeTypeOf('string')
  })

  it.each([
    ['a reserved control type', { type: 'reset', data: '' }],
    ['the close control type', { type: 'close', data: '' }],
    ['a line break in the type', { type: 'a\nb', data: '' }],
  ])('rejects %s with invalid-option', async (_, event) => {
    const hub = createHub()
    await expect(hub.publish('s', event)).rejects.toMatchObject({ code: 'invalid-option' })
  })

  it('rejects after close with a closed error, and close is idempotent', async () => {
    const hub = createHub()
    await hub.close()
    await hub.close()
    await expect(hub.publish('s', { data: 'a' })).rejects.toMatchObject({
      code: 'closed',
    })
  })
})

describe('createHub options', () => {
  it.each([{ heartbeat: 0 }, { retry: -1 }, { maxClients: 1.5 }, { heartbeat: 2 ** 31 }])(
    'rejects %j with invalid-option',
    (options) => {
      expect(() => createHub(options)).toThrowError(
        expect.objectContaining({ code: 'invalid-option' }),
      )
    },
  )
})
