import type { StreamEvent } from '@lifeline/core'
import { scriptedTransport } from '@lifeline/testkit/doubles/scripted-transport'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bindStream, type EventStream, type StreamHandlers } from './stream-binding'

const url = 'http://127.0.0.1:1/events'
const collect = (list: string[], event: StreamEvent) => [...list, event.data]

function setup(handlers: Partial<StreamHandlers<string[]>> = {}, names = ['sse-fetch']) {
  const transports = names.map((name) => scriptedTransport(name))
  const snapshots: EventStream<string[]>[] = []
  const reduce = vi.fn(collect)
  const binding = bindStream(
    { url, transports, backoff: { initial: 100, max: 100 }, environment: { random: () => 1 } },
    [],
    () => ({ reduce, ...handlers }),
    (snapshot) => snapshots.push(snapshot),
  )
  const last = () => snapshots[snapshots.length - 1]!
  return { binding, transports, snapshots, last, reduce, sse: transports[0]! }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('bindStream', () => {
  it('opens no connection when closed in the task that created it (the StrictMode double mount)', async () => {
    const first = setup()
    first.binding.close()
    const second = setup()
    await vi.advanceTimersByTimeAsync(0)
    expect(first.sse.connections).toHaveLength(0)
    expect(second.sse.connections).toHaveLength(1)
    second.binding.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('reports idle first, then each state and transport change', async () => {
    const { sse, snapshots, last, binding } = setup()
    expect(snapshots.map((s) => s.state)).toEqual(['idle'])
    await vi.advanceTimersByTimeAsync(0)
    expect(last().state).toBe('connecting')
    sse.last().accept()
    expect(last()).toEqual({
      state: 'open',
      transport: 'sse-fetch',
      lastEventId: undefined,
      data: [],
      error: undefined,
    })
    binding.close()
  })

  it('folds each event once into data, in order, with the resume point', async () => {
    const { sse, last, reduce, binding } = setup()
    await vi.advanceTimersByTimeAsync(0)
    sse.last().accept().send({ id: '1', data: 'a' }).send({ id: '2', data: 'b' })
    expect(last().data).toEqual(['a', 'b'])
    expect(last().lastEventId).toBe('2')
    expect(reduce).toHaveBeenCalledTimes(2)
    binding.close()
  })

  it('takes only the listed event types, and calls onEvent before reduce', async () => {
    const order: string[] = []
    const { sse, last, binding } = setup({
      events: ['price'],
      onEvent: (e) => order.push(`onEvent ${e.data}`),
      reduce: (list, e) => {
        order.push(`reduce ${e.data}`)
        return collect(list, e)
      },
    })
    await vi.advanceTimersByTimeAsync(0)
    sse.last().accept().send({ type: 'news', data: 'skip' }).send({ type: 'price', data: '1.08' })
    expect(last().data).toEqual(['1.08'])
    expect(order).toEqual(['onEvent 1.08', 'reduce 1.08'])
    binding.close()
  })

  it('reports a gap to onGap and keeps the data', async () => {
    const onGap = vi.fn()
    const { sse, last, binding } = setup({ onGap })
    await vi.advanceTimersByTimeAsync(0)
    sse.last().accept().send({ id: '1', data: 'a' }).send({ type: 'reset', data: '' })
    expect(onGap).toHaveBeenCalledWith({ lastEventId: '1', reason: { kind: 'reset' } })
    expect(last().data).toEqual(['a'])
    binding.close()
  })

  it('keeps the last error until the stream opens again', async () => {
    const { sse, last, binding } = setup()
    await vi.advanceTimersByTimeAsync(0)
    sse.last().end({ kind: 'http', status: 503 })
    expect(last().state).toBe('reconnecting')
    expect(last().error?.code).toBe('connection')
    await vi.advanceTimersByTimeAsync(100)
    expect(last().error?.code).toBe('connection')
    sse.last().accept()
    expect(last().state).toBe('open')
    expect(last().error).toBeUndefined()
    binding.close()
  })

  it('reports a handler that throws as an error and goes on', async () => {
    const { sse, last, binding } = setup({
      reduce: (list, e) => {
        if (e.data === 'bad') throw new Error('boom')
        return collect(list, e)
      },
    })
    await vi.advanceTimersByTimeAsync(0)
    sse.last().accept().send({ data: 'bad' }).send({ data: 'good' })
    expect(last().error?.code).toBe('handler')
    expect(last().data).toEqual(['good'])
    binding.close()
  })

  it('reports nothing after close, and leaves no timer or connection', async () => {
    const { sse, snapshots, binding } = setup()
    await vi.advanceTimersByTimeAsync(0)
    sse.last().accept()
    const count = snapshots.length
    binding.close()
    expect(snapshots).toHaveLength(count)
    expect(sse.live()).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('turns options createClient refuses into a closed snapshot with invalid-option, without throwing', () => {
    const snapshots: EventStream<undefined>[] = []
    const binding = bindStream(
      { url: 'ftp://example.com/', transports: [scriptedTransport()] },
      undefined,
      () => ({ reduce: () => undefined }),
      (snapshot) => snapshots.push(snapshot),
    )
    expect(snapshots).toHaveLength(1)
    expect(snapshots[0]?.state).toBe('closed')
    expect(snapshots[0]?.error?.code).toBe('invalid-option')
    binding.close()
  })

  it('does not report a change that changed nothing', async () => {
    const { sse, snapshots, binding } = setup({ events: ['price'] })
    await vi.advanceTimersByTimeAsync(0)
    sse.last().accept()
    const count = snapshots.length
    sse.last().send({ type: 'news', data: 'x' }).heartbeat()
    expect(snapshots).toHaveLength(count)
    binding.close()
  })
})
