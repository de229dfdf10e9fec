import { afterEach, describe, expect, it, vi } from 'vitest'
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

  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('turns away data over maxMessageBytes from its length alone: no split, no encoding, nothing stored', async () => {
    const log = memoryLog()
    const append = vi.spyOn(log, 'append')
    const hub = createHub({ log })
    // A rope: V8 builds it without 80 MB, and splitting it into data lines throws RangeError.
    const data = '\n'.repeat(80_000_000)
    const split = vi.spyOn(String.prototype, 'split')
    const encode = vi.spyOn(TextEncoder.prototype, 'encode')
    await expect(hub.publish('s', { data })).rejects.toMatchObject({
      name: 'LifelineError',
      code: 'message-too-large',
    })
    expect(split).not.toHaveBeenCalled()
    expect(encode).not.toHaveBeenCalled()
    expect(append).not.toHaveBeenCalled()
  })

  it('counts the data: line each line break adds toward maxMessageBytes', async () => {
    // "data: " + 13 × "\ndata: " + "\n\n" is 99 bytes; one more line is 106.
    const hub = createHub({ maxMessageBytes: 99 })
    for (const lineBreak of ['\n', '\r', '\r\n']) {
      await expect(hub.publish('s', { data: lineBreak.repeat(13) })).resolves.toBeTypeOf('string')
      await expect(hub.publish('s', { data: lineBreak.repeat(14) })).rejects.toMatchObject({
        code: 'message-too-large',
      })
    }
  })

  it.each([
    ['data that is not a string', { data: 42 }],
    ['a type that is not a string', { type: 7, data: '' }],
  ])('rejects %s with invalid-option', async (_, event) => {
    const hub = createHub()
    await expect(hub.publish('s', event as never)).rejects.toMatchObject({
      code: 'invalid-option',
    })
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
  it.each([
    { heartbeat: 0 },
    { retry: -1 },
    { maxClients: 1.5 },
    { heartbeat: 2 ** 31 },
    // An event block must fit one JavaScript string with its id line.
    { maxMessageBytes: 2 ** 28 + 1 },
  ])('rejects %j with invalid-option', (options) => {
    expect(() => createHub(options)).toThrowError(
      expect.objectContaining({ code: 'invalid-option' }),
    )
  })
})
