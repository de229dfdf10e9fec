import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LinkEvents } from './link'
import { openWatcher, type Subscriptions } from './watcher'

/** A wake-up connection the test drives: connects, fails and answers pings when told. */
function fakeConnection() {
  const subscribed: string[][] = []
  let failure: (error: unknown) => void = () => {}
  let pingAnswer: Promise<unknown> = Promise.resolve('PONG')
  let destroyed = false
  const subscriptions: Subscriptions = {
    connect: async () => {},
    subscribe: async (channels) => {
      subscribed.push([...channels])
    },
    unsubscribe: async () => {},
    destroy: () => {
      destroyed = true
    },
    onFailure(listener) {
      failure = listener
    },
    ping: () => pingAnswer,
  }
  return {
    subscriptions,
    subscribed,
    destroyed: () => destroyed,
    fail: (error: unknown) => failure(error),
    stopAnswering() {
      pingAnswer = Promise.reject(new Error('ping timed out'))
      pingAnswer.catch(() => {})
    },
  }
}

function recordingEvents() {
  const log: string[] = []
  const events: LinkEvents = {
    woken: (channel, message) => log.push(`woken ${channel} ${message}`),
    watched: (channel) => log.push(`watched ${channel}`),
    watching: (channels) => log.push(`watching ${channels.join(',')}`),
    failed: (error) => log.push(`failed ${String(error)}`),
  }
  return { log, events }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('openWatcher', () => {
  it('connects at the first watch, takes what was watched meanwhile in one step, then one by one', async () => {
    const connections = [fakeConnection()]
    const { log, events } = recordingEvents()
    const watcher = openWatcher(() => connections[0]!.subscriptions, { events, timeout: 1_000 })
    watcher.watch('a')
    watcher.watch('b')
    await vi.advanceTimersByTimeAsync(0)
    watcher.watch('c')
    await vi.advanceTimersByTimeAsync(0)
    expect(connections[0]!.subscribed).toEqual([['a', 'b'], ['c']])
    expect(log).toEqual(['watching a,b', 'watched c'])
    watcher.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('replaces a failed connection after a pause that doubles, subscribing everything again', async () => {
    const connections: ReturnType<typeof fakeConnection>[] = []
    const { log, events } = recordingEvents()
    const watcher = openWatcher(
      () => {
        const next = fakeConnection()
        // The second connection cannot connect: Redis is still down.
        if (connections.length === 1)
          next.subscriptions.connect = () => Promise.reject(new Error('refused'))
        connections.push(next)
        return next.subscriptions
      },
      { events, timeout: 1_000 },
    )
    watcher.watch('a')
    watcher.watch('b')
    await vi.advanceTimersByTimeAsync(0)
    connections[0]!.fail(new Error('socket closed'))
    expect(connections[0]!.destroyed()).toBe(true)
    watcher.unwatch('a')
    await vi.advanceTimersByTimeAsync(49)
    expect(connections).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(connections).toHaveLength(2)
    // Two failures in a row: the next pause is twice as long.
    await vi.advanceTimersByTimeAsync(99)
    expect(connections).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(connections).toHaveLength(3)
    expect(connections[2]!.subscribed).toEqual([['b']])
    expect(log).toEqual([
      'watching a,b',
      'failed Error: socket closed',
      'failed Error: refused',
      'watching b',
    ])
    watcher.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('replaces a connection that stops answering its ping', async () => {
    const connections: ReturnType<typeof fakeConnection>[] = []
    const { log, events } = recordingEvents()
    const watcher = openWatcher(
      () => {
        const next = fakeConnection()
        connections.push(next)
        return next.subscriptions
      },
      { events, timeout: 1_000, pingMs: 500 },
    )
    watcher.watch('a')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(connections).toHaveLength(1)
    connections[0]!.stopAnswering()
    await vi.advanceTimersByTimeAsync(500)
    expect(connections[0]!.destroyed()).toBe(true)
    await vi.advanceTimersByTimeAsync(50)
    expect(connections).toHaveLength(2)
    expect(log).toEqual(['watching a', 'failed Error: ping timed out', 'watching a'])
    watcher.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('hands every message to woken with its channel', async () => {
    let listener: ((message: string, channel: string) => unknown) | undefined
    const connection = fakeConnection()
    connection.subscriptions.subscribe = async (_channels, given) => {
      listener = given
    }
    const { log, events } = recordingEvents()
    const watcher = openWatcher(() => connection.subscriptions, { events, timeout: 1_000 })
    watcher.watch('a')
    await vi.advanceTimersByTimeAsync(0)
    listener?.('e:1-0', 'a')
    expect(log).toEqual(['watching a', 'woken a e:1-0'])
    watcher.close()
  })
})
