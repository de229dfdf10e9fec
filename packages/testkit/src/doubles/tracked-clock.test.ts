import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { trackedClock } from './tracked-clock'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

it('lists the delays of the timers still to fire, and forgets fired and cleared ones', () => {
  const clock = trackedClock()
  const fired: string[] = []
  clock.setTimeout(() => fired.push('retry'), 200)
  const watchdog = clock.setTimeout(() => fired.push('watchdog'), 10_000)
  clock.setTimeout(() => fired.push('upgrade'), 5_000)
  expect(clock.pending()).toEqual([200, 10_000, 5_000])

  vi.advanceTimersByTime(200)
  clock.clearTimeout(watchdog)
  expect(clock.pending()).toEqual([5_000])
  vi.advanceTimersByTime(5_000)
  expect(fired).toEqual(['retry', 'upgrade'])
  expect(clock.pending()).toEqual([])
  expect(vi.getTimerCount()).toBe(0)
})

it('schedules on the clock it wraps and reads its time', () => {
  const set: number[] = []
  const base = {
    now: () => 42,
    setTimeout: (_callback: () => void, ms: number) => set.push(ms),
    clearTimeout: () => {},
  }
  const clock = trackedClock(base)
  clock.setTimeout(() => {}, 7)
  expect(set).toEqual([7])
  expect(clock.now()).toBe(42)
  // A handle the clock never gave out changes nothing.
  clock.clearTimeout(undefined)
  clock.clearTimeout({})
  expect(clock.pending()).toEqual([7])
})
