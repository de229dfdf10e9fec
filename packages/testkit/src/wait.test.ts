import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  bounded,
  createArrivals,
  createNotifier,
  nextEvent,
  until,
  type Wake,
  within,
} from './wait'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('until', () => {
  it('resolves with what the probe found once it is found, rechecked on every wake', async () => {
    const changes = createNotifier()
    const items: string[] = []
    const found = until(() => items.find((item) => item.startsWith('b')), 'an item with b', {
      wake: changes.wake,
    })
    items.push('a')
    changes.notify()
    items.push('bee')
    changes.notify()
    await expect(found).resolves.toBe('bee')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('polls what nothing announces, and clears its timers once met', async () => {
    let ready = false
    const met = until(() => ready, 'ready', { pollMs: 10 })
    await vi.advanceTimersByTimeAsync(30)
    ready = true
    await vi.advanceTimersByTimeAsync(10)
    await expect(met).resolves.toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rejects after the bound, naming what was awaited and where things stood', async () => {
    const changes = createNotifier()
    const wait = until(() => false, 'the drain', {
      wake: changes.wake,
      timeoutMs: 50,
      detail: () => '2 sockets open',
    })
    const failed = expect(wait).rejects.toThrow(
      'timed out after 50 ms waiting for the drain; 2 sockets open',
    )
    await vi.advanceTimersByTimeAsync(50)
    await failed
    expect(vi.getTimerCount()).toBe(0)
  })

  it('unsubscribes from its wake however it ends', async () => {
    let subscribed = 0
    const wake: Wake = () => {
      subscribed++
      return () => {
        subscribed--
      }
    }
    const timedOut = until(() => false, 'never', { wake, timeoutMs: 10 }).catch(() => 'timed out')
    await expect(until(() => true, 'at once', { wake })).resolves.toBe(true)
    await vi.advanceTimersByTimeAsync(10)
    expect(await timedOut).toBe('timed out')
    expect(subscribed).toBe(0)
  })

  it('awaits an async probe and never runs two checks at once', async () => {
    let running = 0
    let most = 0
    let calls = 0
    const probe = async () => {
      running++
      most = Math.max(most, running)
      await new Promise((resolve) => setTimeout(resolve, 25))
      running--
      calls++
      return calls >= 3 && `after ${calls} checks`
    }
    const met = until(probe, 'the third check', { pollMs: 5 })
    await vi.advanceTimersByTimeAsync(200)
    await expect(met).resolves.toBe('after 3 checks')
    expect(most).toBe(1)
  })

  it('rejects with the error a probe throws', async () => {
    await expect(
      until(() => {
        throw new Error('the connection ended first')
      }, 'an event'),
    ).rejects.toThrow('the connection ended first')
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('nextEvent', () => {
  it('resolves with the first value the filter takes, and unsubscribes', async () => {
    const listeners = new Set<(value: number) => void>()
    const next = nextEvent<number>(
      (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
      'an even number',
      { accept: (n) => n % 2 === 0 },
    )
    for (const n of [1, 3, 4, 6]) for (const listener of [...listeners]) listener(n)
    await expect(next).resolves.toBe(4)
    expect(listeners.size).toBe(0)
  })

  it('rejects after the bound when the event never comes', async () => {
    const next = nextEvent<void>(() => () => {}, 'resumed', { timeoutMs: 100 })
    const failed = expect(next).rejects.toThrow('timed out after 100 ms waiting for resumed')
    await vi.advanceTimersByTimeAsync(100)
    await failed
  })
})

describe('within and bounded', () => {
  it('passes a promise through, or rejects once the bound is past', async () => {
    await expect(within(Promise.resolve('ok'), 'ok')).resolves.toBe('ok')
    await expect(within(Promise.reject(new Error('refused')), 'a socket')).rejects.toThrow(
      'refused',
    )
    const late = within(new Promise(() => {}), 'the request', { timeoutMs: 5_000 })
    const failed = expect(late).rejects.toThrow('timed out after 5000 ms waiting for the request')
    await vi.advanceTimersByTimeAsync(5_000)
    await failed
    expect(vi.getTimerCount()).toBe(0)
  })

  it('runs the cleanup of a start that settled before returning it', async () => {
    let cleaned = 0
    const value = bounded<string>('a value', (resolve) => {
      resolve('now')
      return () => {
        cleaned++
      }
    })
    await expect(value).resolves.toBe('now')
    expect(cleaned).toBe(1)
  })

  it('rejects with what start throws, after its bound is cleared', async () => {
    await expect(
      bounded('a start that throws', () => {
        throw new TypeError('bad start')
      }),
    ).rejects.toThrow(TypeError)
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('createArrivals', () => {
  it('hands out arrivals in order, to waits that came before or after them', async () => {
    const sockets = createArrivals<{ id: number }>()
    const first = sockets.next('socket 1')
    const second = sockets.next('socket 2')
    sockets.push({ id: 1 })
    sockets.push({ id: 2 })
    sockets.push({ id: 3 })
    expect([await first, await second]).toEqual([{ id: 1 }, { id: 2 }])
    await expect(sockets.next('socket 3')).resolves.toEqual({ id: 3 })
    const none = sockets.next('socket 4', { timeoutMs: 20 })
    const failed = expect(none).rejects.toThrow('waiting for socket 4')
    await vi.advanceTimersByTimeAsync(20)
    await failed
  })
})
