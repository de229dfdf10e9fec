import { scriptedTransport } from '@lifeline/testkit/doubles/scripted-transport'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  type ConnectionEvents,
  createClient,
  type LifelineError,
  type ResumeStorage,
} from '../src/index'

const url = 'http://127.0.0.1:1/events'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A Web Storage stand-in that records every write; `delay` makes each call a promise. */
function memoryStorage(initial: Record<string, string> = {}, delay?: number) {
  const items = new Map(Object.entries(initial))
  const writes: [string, string | undefined][] = []
  const later = <T>(value: T) =>
    delay === undefined
      ? value
      : new Promise<T>((resolve) => setTimeout(() => resolve(value), delay))
  const storage: ResumeStorage = {
    getItem: (key) => later(items.get(key) ?? null),
    setItem: (key, value) => {
      writes.push([key, value])
      items.set(key, value)
    },
    removeItem: (key) => {
      writes.push([key, undefined])
      items.delete(key)
    },
  }
  return { storage, items, writes }
}

function lifecycle() {
  let listener: (signal: 'pagehide' | 'pageshow') => void = () => {}
  return {
    source: {
      isOnline: () => true,
      subscribe: (next: typeof listener) => {
        listener = next
        return () => {}
      },
    },
    fire: (signal: 'pagehide' | 'pageshow') => listener(signal),
  }
}

describe('persist (Wave 2: resume across reloads)', () => {
  it('resumes from the stored point when no lastEventId is given; the option wins over it', () => {
    const { storage } = memoryStorage({ answer: '41' })
    const sse = scriptedTransport('sse')
    const client = createClient({ url, transports: [sse], persist: { key: 'answer', storage } })
    expect(sse.last().request.lastEventId).toBe('41')
    expect(client.connection.lastEventId).toBe('41')
    client.close()
    const other = scriptedTransport('sse')
    createClient({
      url,
      transports: [other],
      lastEventId: '7',
      persist: { key: 'answer', storage },
    }).close()
    expect(other.last().request.lastEventId).toBe('7')
  })

  it('waits for an async storage before the first connect', async () => {
    const { storage } = memoryStorage({ answer: '41' }, 50)
    const sse = scriptedTransport('sse')
    const client = createClient({ url, transports: [sse], persist: { key: 'answer', storage } })
    expect(sse.connections).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(50)
    expect(sse.last().request.lastEventId).toBe('41')
    client.close()
  })

  it('writes at most every 250 ms, the newest point, and at once on pagehide and close()', () => {
    const { storage, writes } = memoryStorage()
    const sse = scriptedTransport('sse')
    const page = lifecycle()
    const client = createClient({
      url,
      transports: [sse],
      persist: { key: 'k', storage },
      environment: { lifecycle: page.source },
    })
    const connection = sse.last().accept()
    for (let id = 1; id <= 10; id++) connection.send({ id: String(id) })
    expect(writes).toEqual([])
    vi.advanceTimersByTime(249)
    expect(writes).toEqual([])
    vi.advanceTimersByTime(1)
    expect(writes).toEqual([['k', '10']])
    connection.send({ id: '11' })
    page.fire('pagehide')
    expect(writes.at(-1)).toEqual(['k', '11'])
    // Back from the cache: the next connection resumes from 11.
    page.fire('pageshow')
    expect(sse.last().request.lastEventId).toBe('11')
    sse.last().accept().send({ id: '12' })
    client.close()
    expect(writes.at(-1)).toEqual(['k', '12'])
    // Nothing changed since: nothing more to write, no timer left behind.
    expect(writes).toHaveLength(3)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a reset removes the stored point, and the new position replaces it', () => {
    const { storage, writes } = memoryStorage({ k: 'old-9' })
    const sse = scriptedTransport('sse')
    const client = createClient({ url, transports: [sse], persist: { key: 'k', storage } })
    const gaps: ConnectionEvents['gap'][] = []
    client.connection.on('gap', (gap) => gaps.push(gap))
    // A stale stored point takes the normal reset path.
    sse.last().accept().send({ type: 'reset', data: '' })
    expect(gaps).toEqual([{ lastEventId: 'old-9', reason: { kind: 'reset' } }])
    vi.advanceTimersByTime(250)
    expect(writes).toEqual([['k', undefined]])
    sse.last().position('new-3')
    vi.advanceTimersByTime(250)
    expect(writes).toEqual([
      ['k', undefined],
      ['k', 'new-3'],
    ])
    client.close()
  })

  it.each([
    ['too long', 'x'.repeat(2_000)],
    ['empty', ''],
  ])('ignores a stored value that is %s', (_label, value) => {
    const { storage } = memoryStorage({ k: value })
    const sse = scriptedTransport('sse')
    createClient({ url, transports: [sse], persist: { key: 'k', storage } }).close()
    expect(sse.last().request.lastEventId).toBeUndefined()
  })

  it('reports a failing storage as a storage error and goes on streaming', () => {
    const sse = scriptedTransport('sse')
    const storage: ResumeStorage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError')
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError')
      },
      removeItem: () => {},
    }
    const errors: LifelineError[] = []
    const client = createClient({
      url,
      transports: [sse],
      connect: false,
      persist: { key: 'k', storage },
    })
    client.connection.on('error', (error) => errors.push(error))
    client.connect()
    const seen: string[] = []
    client.on('message', (event) => seen.push(event.id ?? ''))
    sse.last().accept().send({ id: '1' }).send({ id: '2' })
    vi.advanceTimersByTime(250)
    expect(seen).toEqual(['1', '2'])
    expect(errors.map((error) => error.code)).toEqual(['storage'])
    client.close()
  })

  it('rejects a persist option without a key or a storage', () => {
    const transports = [scriptedTransport()]
    for (const persist of [
      { key: '', storage: memoryStorage().storage },
      { key: 'k', storage: {} as ResumeStorage },
    ]) {
      expect(() => createClient({ url, transports, persist })).toThrow(
        expect.objectContaining({ code: 'invalid-option' }),
      )
    }
  })
})

describe("from: 'start' (Wave 2: the whole retained history)", () => {
  it('asks for the whole history only on a connect without a resume point', () => {
    const sse = scriptedTransport('sse')
    const client = createClient({
      url,
      transports: [sse],
      from: 'start',
      environment: { random: () => 0 },
    })
    expect(sse.last().request.from).toBe('start')
    sse.last().accept().send({ id: '5' }).end()
    vi.runOnlyPendingTimers()
    expect(sse.last().request).toMatchObject({ lastEventId: '5', from: undefined })
    client.close()
  })

  it('is off by default, and takes no other value', () => {
    const sse = scriptedTransport('sse')
    createClient({ url, transports: [sse] }).close()
    expect(sse.last().request.from).toBeUndefined()
    expect(() =>
      createClient({ url, transports: [sse], from: 'end' as unknown as 'start' }),
    ).toThrow(expect.objectContaining({ code: 'invalid-option' }))
  })
})
