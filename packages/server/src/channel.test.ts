import { describe, expect, it } from 'vitest'
import { openChannel } from './channel'
import type { EventLog, HistoryLost } from './log'
import { memoryLog } from './memory-log'
import { serializeEntry } from './serialize'
import { createSubscriber } from './subscriber'

/**
 * `inner` with reads that wait for the test, like a network log that answers late. They
 * read the log once released, or with `answer: 'as-called'` return what it held when they
 * were made.
 */
function lateLog(
  inner: EventLog = memoryLog({ epoch: 'e' }),
  answer: 'as-released' | 'as-called' = 'as-released',
) {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const late = async <T>(read: () => Promise<T>): Promise<T> => {
    if (answer === 'as-released') {
      await gate
      return read()
    }
    const result = read()
    await gate
    return result
  }
  const log: EventLog = {
    ...inner,
    readAfter: (stream, id, limit) => late(() => inner.readAfter(stream, id, limit)),
    readNewest: (stream, limit) => late(() => inner.readNewest(stream, limit)),
    newest: (stream) => late(() => inner.newest(stream)),
  }
  return { log, release }
}

function channelOn(log: EventLog) {
  return openChannel('s', {
    log,
    retry: 1000,
    maxReplay: 100,
    maxBufferedBytes: 1024 * 1024,
    bytesOf: serializeEntry,
    onEmpty: () => {},
  })
}

/** A subscriber joining `channel` (by default one of its own) with `resumePoint`. */
function join(
  log: EventLog,
  resumePoint: string | undefined,
  channel = channelOn(log),
  fromStart = false,
) {
  const written: string[] = []
  let ended = false
  const decoder = new TextDecoder()
  const subscriber = createSubscriber({
    stream: 's',
    pipe: 'sse',
    // Writes complete at once: this test is about order, not backpressure.
    outlet: {
      write(chunk, done) {
        written.push(decoder.decode(chunk))
        done()
      },
      end() {
        ended = true
      },
      destroy() {},
    },
    maxBufferedBytes: 1024 * 1024,
    onCut: () => {},
    onGone: () => {},
  })
  const joined = channel.join(subscriber, { resumePoint, fromStart })
  return { joined, text: () => written.join(''), ended: () => ended }
}

/** A losable log whose reads answer what it held when made, once the test releases them. */
function losableLateLog() {
  const { log: losable, lose } = losableLog()
  return { ...lateLog(losable, 'as-called'), lose }
}

/**
 * A log on storage that can lose the stream: the test calls `lose` as Redis would, with the
 * ids that were lost (by default every id before the loss: those of epoch `e`).
 */
function losableLog() {
  const inner = memoryLog({ epoch: 'e' })
  let onLost: HistoryLost | undefined
  const log: EventLog = {
    ...inner,
    subscribe(stream, listener, onHistoryLost) {
      onLost = onHistoryLost
      return inner.subscribe(stream, listener)
    },
  }
  return {
    log,
    lose: (position: string, isLost = (id: string) => id.startsWith('e-')) =>
      onLost?.(position, isLost),
  }
}

describe('channel seam', () => {
  it('drops live entries the late replay already covered, and keeps the ones after it', async () => {
    const { log, release } = lateLog()
    await log.append('s', { data: 'a' })
    const { joined, text } = join(log, 'e-1')
    // Appended after joining but before the read answers: live and in the replay both.
    await log.append('s', { data: 'b' })
    await log.append('s', { data: 'c' })
    release()
    await joined
    await log.append('s', { data: 'd' })
    expect(text()).toBe(
      'retry: 1000\n\nid: e-2\ndata: b\n\nid: e-3\ndata: c\n\nid: e-3\n\nid: e-4\ndata: d\n\n',
    )
  })

  it('puts a fresh connection at the head it read, without the entries before it', async () => {
    const { log, release } = lateLog()
    const { joined, text } = join(log, undefined)
    await log.append('s', { data: 'a' })
    release()
    await joined
    await log.append('s', { data: 'b' })
    expect(text()).toBe('retry: 1000\n\nid: e-1\n\nid: e-2\ndata: b\n\n')
  })

  it('answers a resume point the log cannot place with reset, then the head, then live', async () => {
    const { log, release } = lateLog()
    release()
    await log.append('s', { data: 'a' })
    const { joined, text } = join(log, 'e-7')
    await joined
    await log.append('s', { data: 'b' })
    expect(text()).toBe('retry: 1000\n\nevent: reset\ndata: \n\nid: e-1\n\nid: e-2\ndata: b\n\n')
  })

  it('answers a resume point of lost history with reset, the current history from its first event, the position, then live', async () => {
    const { log, release } = lateLog()
    await log.append('s', { data: 'a' })
    // An id of an older epoch: everything the log holds came after the loss.
    const { joined, text } = join(log, 'old-7')
    await log.append('s', { data: 'b' })
    release()
    await joined
    await log.append('s', { data: 'c' })
    expect(text()).toBe(
      'retry: 1000\n\nevent: reset\ndata: \n\n' +
        'id: e-1\ndata: a\n\nid: e-2\ndata: b\n\nid: e-2\n\nid: e-3\ndata: c\n\n',
    )
  })

  it('caps what follows the reset after lost history at maxReplay, the newest events', async () => {
    const { log, release } = lateLog()
    release()
    for (let i = 1; i <= 150; i++) await log.append('s', { data: String(i) })
    const { joined, text } = join(log, 'old-7')
    await joined
    const ids = [...text().matchAll(/^id: (.*)$/gm)].map((match) => match[1])
    // maxReplay is 100 here: the events 51 to 150, then the position block.
    expect(ids).toEqual([...Array.from({ length: 100 }, (_, i) => `e-${i + 51}`), 'e-150'])
    expect(text().startsWith('retry: 1000\n\nevent: reset\ndata: \n\n')).toBe(true)
  })
})

describe('from=start', () => {
  const idsOf = (text: string) => [...text.matchAll(/^id: (.*)$/gm)].map((match) => match[1])

  it('replays what the log holds, oldest first, then the position block, then live: none twice across the seam', async () => {
    const { log, release } = lateLog()
    await log.append('s', { data: 'a' })
    const { joined, text } = join(log, undefined, undefined, true)
    // Appended while the read is pending: live and in the read both.
    await log.append('s', { data: 'b' })
    release()
    await joined
    await log.append('s', { data: 'c' })
    expect(text()).toBe(
      'retry: 1000\n\nid: e-1\ndata: a\n\nid: e-2\ndata: b\n\nid: e-2\n\nid: e-3\ndata: c\n\n',
    )
  })

  it('past the replay cap: reset, the newest maxReplay events, the position block', async () => {
    const { log, release } = lateLog()
    release()
    for (let i = 1; i <= 101; i++) await log.append('s', { data: String(i) })
    const { joined, text } = join(log, undefined, undefined, true)
    await joined
    expect(text().startsWith('retry: 1000\n\nevent: reset\ndata: \n\n')).toBe(true)
    expect(idsOf(text())).toEqual([...Array.from({ length: 100 }, (_, i) => `e-${i + 2}`), 'e-101'])
  })

  it('exactly the cap is all of it: no reset', async () => {
    const { log, release } = lateLog()
    release()
    for (let i = 1; i <= 100; i++) await log.append('s', { data: String(i) })
    const { joined, text } = join(log, undefined, undefined, true)
    await joined
    expect(text()).not.toContain('event: reset')
    expect(idsOf(text())).toHaveLength(101)
  })

  it('an empty stream gives the position before its first event', async () => {
    const { log, release } = lateLog()
    release()
    const { joined, text } = join(log, undefined, undefined, true)
    await joined
    expect(text()).toBe('retry: 1000\n\nid: e-0\n\n')
  })

  it('a resume point wins over from=start', async () => {
    const { log, release } = lateLog()
    release()
    for (const data of ['a', 'b', 'c']) await log.append('s', { data })
    const { joined, text } = join(log, 'e-2', undefined, true)
    await joined
    expect(text()).toBe('retry: 1000\n\nid: e-3\ndata: c\n\nid: e-3\n\n')
  })
})

describe('history lost under a live subscription', () => {
  it('tells a live subscriber reset and the new position, then goes on with live entries', async () => {
    const { log, lose } = losableLog()
    const { joined, text, ended } = join(log, undefined)
    await joined
    await log.append('s', { data: 'a' })
    lose('f-0')
    await log.append('s', { data: 'b' })
    expect(text()).toBe(
      'retry: 1000\n\nid: e-0\n\nid: e-1\ndata: a\n\n' +
        'event: reset\ndata: \n\nid: f-0\n\nid: e-2\ndata: b\n\n',
    )
    expect(ended()).toBe(false)
  })

  it('tells a subscriber that was starting, between the entries of the old and the new history', async () => {
    // The reads answer what the log held when they were made, but only once released:
    // this start read its head before the loss and goes live after it.
    const { log, lose, release } = losableLateLog()
    const { joined, text, ended } = join(log, undefined)
    await log.append('s', { data: 'old' })
    lose('f-0')
    await log.append('s', { data: 'new' })
    release()
    await joined
    expect(text()).toBe(
      'retry: 1000\n\nid: e-0\n\nid: e-1\ndata: old\n\n' +
        'event: reset\ndata: \n\nid: f-0\n\nid: e-2\ndata: new\n\n',
    )
    expect(ended()).toBe(false)
  })

  it('tells a start whose read came after the loss nothing of it', async () => {
    // The read answers once released, after the loss: its head is in the new history.
    const { log, lose, release } = losableLateLog()
    const { joined, text } = join(log, undefined)
    await log.append('s', { data: 'old' })
    lose('f-0', (id) => id === 'e-0')
    release()
    await joined
    expect(text()).not.toContain('event: reset')
  })

  it('tells only the live subscribers whose position was in the lost history', async () => {
    const { log, lose } = losableLog()
    // The second start reads its head after the storage lost history, before the log told.
    let head: string | undefined
    const placed: EventLog = { ...log, newest: async (stream) => head ?? log.newest(stream) }
    const channel = channelOn(placed)
    const before = join(placed, undefined, channel)
    await before.joined
    head = 'f-0'
    const after = join(placed, undefined, channel)
    await after.joined
    lose('f-0')
    await log.append('s', { data: 'new' })
    expect(before.text()).toBe(
      'retry: 1000\n\nid: e-0\n\nevent: reset\ndata: \n\nid: f-0\n\nid: e-1\ndata: new\n\n',
    )
    expect(after.text()).toBe('retry: 1000\n\nid: f-0\n\nid: e-1\ndata: new\n\n')
  })

  it('places a reset subscriber at the new position, so a second loss is judged from there', async () => {
    const { log, lose } = losableLog()
    const { joined, text } = join(log, undefined)
    await joined
    lose('f-0', (id) => id === 'e-0')
    // Its position is f-0 now: a loss of what came before f-0 does not concern it.
    lose('g-0', (id) => id === 'e-0')
    lose('h-0', (id) => id === 'f-0')
    expect(text().split('event: reset')).toHaveLength(3)
    expect(text()).toContain('id: f-0\n\nevent: reset\ndata: \n\nid: h-0\n\n')
  })
})
