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
    newest: (stream) => late(() => inner.newest(stream)),
  }
  return { log, release }
}

function join(log: EventLog, resumePoint: string | undefined) {
  const written: string[] = []
  let ended = false
  const decoder = new TextDecoder()
  const channel = openChannel('s', {
    log,
    retry: 1000,
    maxReplay: 100,
    maxBufferedBytes: 1024 * 1024,
    bytesOf: serializeEntry,
    onEmpty: () => {},
  })
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
  const joined = channel.join(subscriber, resumePoint)
  return { joined, text: () => written.join(''), ended: () => ended }
}

/** A losable log whose reads answer what it held when made, once the test releases them. */
function losableLateLog() {
  const { log: losable, lose } = losableLog()
  return { ...lateLog(losable, 'as-called'), lose }
}

/** A log on storage that can lose the stream: the test calls `lose` as Redis would. */
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
  return { log, lose: (position: string) => onLost?.(position) }
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
    const { joined, text } = join(log, 'other-7')
    await joined
    await log.append('s', { data: 'b' })
    expect(text()).toBe('retry: 1000\n\nevent: reset\ndata: \n\nid: e-1\n\nid: e-2\ndata: b\n\n')
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

  it('says reset once to a start that resets anyway, however many losses came during it', async () => {
    const { log, lose, release } = losableLateLog()
    const { joined, text } = join(log, 'unknown-7')
    lose('f-0')
    await log.append('s', { data: 'new' })
    release()
    await joined
    expect(text().split('event: reset')).toHaveLength(2)
  })
})
