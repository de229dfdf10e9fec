import { createHub } from '@lifeline/server'
import { hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { openRawPipe, positionsOf, RAW_PIPES } from '@lifeline/testkit/wire/raw-pipe'
import { openRawWs } from '@lifeline/testkit/wire/raw-ws-reader'
import { afterEach, describe, expect, it, vi } from 'vitest'

const start = hubServersPerTest()
const AGE_CLOSE = 'event: close\ndata: {"reconnect":true}\n\n'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

/** A `hub.fetch` stream read into text, with whether it has ended. */
function readFetch(response: Response) {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  const read = { text: '', ended: false, cancel: () => reader.cancel() }
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      read.text += decoder.decode(value, { stream: true })
    }
    read.ended = true
  })()
  return read
}

describe('maxConnectionAge', () => {
  it.each([
    [0, 9_000],
    [0.5, 10_000],
    [0.999_999, 11_000],
  ])(
    'with random %d, sends the close event and ends the connection at %i ms of 10,000 ±10 %',
    async (random, age) => {
      vi.useFakeTimers()
      vi.spyOn(Math, 'random').mockReturnValue(random)
      const hub = createHub({ maxConnectionAge: 10_000 })
      const read = readFetch(hub.fetch(new Request('http://localhost/events'), { stream: 's' }))
      await vi.advanceTimersByTimeAsync(age - 1)
      expect(read.text).toMatch(/^retry: 1000\n\nid: \S+\n\n(:\n\n)*$/)
      expect(read.ended).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(read.text.endsWith(AGE_CLOSE)).toBe(true)
      expect(read.ended).toBe(true)
      expect(hub.stats().clients).toBe(0)
      await hub.close()
    },
  )

  it('leaves no timer behind for a connection that goes before its age', async () => {
    vi.useFakeTimers()
    const hub = createHub({ maxConnectionAge: 60_000, heartbeat: 1_000 })
    const read = readFetch(hub.fetch(new Request('http://localhost/events'), { stream: 's' }))
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBe(2)
    await read.cancel()
    expect(hub.stats().clients).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    await hub.close()
  })

  it('is off by default: no timer besides the heartbeat', async () => {
    vi.useFakeTimers()
    const hub = createHub()
    const read = readFetch(hub.fetch(new Request('http://localhost/events'), { stream: 's' }))
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBe(1)
    await read.cancel()
    await hub.close()
  })

  it.each([{ maxConnectionAge: 0 }, { maxConnectionAge: 1.5 }, { maxConnectionAge: 2 ** 31 }])(
    'rejects %j with invalid-option',
    (options) => {
      expect(() => createHub(options)).toThrowError(
        expect.objectContaining({ code: 'invalid-option' }),
      )
    },
  )
})

describe.each(RAW_PIPES)('maxConnectionAge over %s', (pipe) => {
  it('sends {"reconnect":true} after the stream so far, then ends the connection', async () => {
    const server = await start({ hubOptions: { maxConnectionAge: 300 } })
    const reader = await openRawPipe(pipe, server)
    await reader.waitFor((items) => positionsOf(items).length > 0)
    const id = await server.hub.publish('events', { data: 'before' })
    await reader.waitForEnd()
    expect(reader.events.map((event) => [event.type, event.data, event.id])).toEqual([
      ['message', 'before', id],
      ['close', '{"reconnect":true}', undefined],
    ])
    await expect.poll(() => server.hub.stats().clients).toBe(0)
  })
})

it('closes an aged WebSocket with a normal close frame after the close event', async () => {
  const server = await start({ hubOptions: { maxConnectionAge: 300 } })
  const reader = await openRawWs(server.wsUrl)
  expect((await reader.waitForClose()).code).toBe(1000)
  expect(reader.frames.at(-1)).toBe(AGE_CLOSE)
})
