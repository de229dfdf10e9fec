import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defaultEnvironment } from './environment'
import { createWatchdog, type WatchdogVerdict } from './watchdog'

const timeouts = { connectTimeout: 1_000, firstByteTimeout: 2_000, heartbeatTimeout: 3_000 }

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

function watch(limits = timeouts) {
  const verdicts: WatchdogVerdict[] = []
  let wakes = 0
  const dog = createWatchdog(
    defaultEnvironment.clock,
    limits,
    (v) => verdicts.push(v),
    () => wakes++,
  )
  return { dog, verdicts, wakes: () => wakes }
}

describe('createWatchdog', () => {
  it('times out an attempt not accepted within connectTimeout', () => {
    const { verdicts } = watch()
    vi.advanceTimersByTime(999)
    expect(verdicts).toEqual([])
    vi.advanceTimersByTime(1)
    expect(verdicts).toEqual(['timeout'])
  })

  it('calls an accepted but silent attempt buffered after firstByteTimeout', () => {
    const { dog, verdicts } = watch()
    dog.accepted()
    vi.advanceTimersByTime(1_999)
    expect(verdicts).toEqual([])
    vi.advanceTimersByTime(1)
    expect(verdicts).toEqual(['buffered'])
  })

  it('calls a stream stalled heartbeatTimeout after its last byte, once', () => {
    const { dog, verdicts } = watch()
    dog.accepted()
    dog.activity()
    vi.advanceTimersByTime(2_000)
    dog.activity()
    vi.advanceTimersByTime(2_999)
    expect(verdicts).toEqual([])
    vi.advanceTimersByTime(1)
    expect(verdicts).toEqual(['stall'])
    vi.advanceTimersByTime(10_000)
    expect(verdicts).toEqual(['stall'])
  })

  it('keeps one timer however many bytes arrive', () => {
    const { dog } = watch()
    dog.accepted()
    for (let i = 0; i < 1_000; i++) dog.activity()
    expect(vi.getTimerCount()).toBe(1)
  })

  it('leaves no timer after stop', () => {
    const { dog, verdicts } = watch()
    dog.stop()
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(10_000)
    expect(verdicts).toEqual([])
  })

  it('after a wake from sleep, verifies the connection instead of trusting it', () => {
    const { dog, verdicts, wakes } = watch()
    dog.accepted()
    dog.activity()
    // The machine sleeps: the clock jumps far past the timer without it firing on time.
    vi.setSystemTime(Date.now() + 60_000)
    vi.advanceTimersByTime(3_000)
    expect(wakes()).toBe(1)
    expect(verdicts).toEqual([])
    // No byte within the verification window, half of heartbeatTimeout: a zombie socket.
    vi.advanceTimersByTime(1_499)
    expect(verdicts).toEqual([])
    vi.advanceTimersByTime(1)
    expect(verdicts).toEqual(['stall'])
  })

  it('gives a healthy stream after a wake long enough for its next server heartbeat', () => {
    // The defaults against the Lifeline server's 15 s heartbeat: firstByteTimeout alone
    // (10 s) would condemn this stream.
    const { dog, verdicts, wakes } = watch({
      connectTimeout: 10_000,
      firstByteTimeout: 10_000,
      heartbeatTimeout: 45_000,
    })
    dog.accepted()
    dog.activity()
    vi.setSystemTime(Date.now() + 600_000)
    vi.advanceTimersByTime(45_000)
    expect(wakes()).toBe(1)
    for (let beat = 0; beat < 3; beat++) {
      vi.advanceTimersByTime(15_000)
      dog.activity()
    }
    vi.advanceTimersByTime(15_000)
    expect(verdicts).toEqual([])
  })

  it('a connection that shows a byte after the wake survives', () => {
    const { dog, verdicts, wakes } = watch()
    dog.accepted()
    dog.activity()
    vi.setSystemTime(Date.now() + 60_000)
    vi.advanceTimersByTime(3_000)
    dog.activity()
    vi.advanceTimersByTime(2_500)
    expect(wakes()).toBe(1)
    expect(verdicts).toEqual([])
  })
})
