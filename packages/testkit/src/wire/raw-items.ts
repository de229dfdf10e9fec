import { createParser } from 'eventsource-parser'

/** An event a raw reader parsed, exactly as the server sent it. */
export interface RawEvent {
  kind: 'event'
  type: string
  data: string
  /** The block's own `id:` field, if it had one. */
  id: string | undefined
}

/**
 * What a raw reader parsed, in order: events, id-only blocks (position blocks), `retry:`
 * hints and comments (heartbeats, `: ok`, `: pong`).
 */
export type RawItem =
  | RawEvent
  | { kind: 'id'; id: string }
  | { kind: 'retry'; ms: number }
  | { kind: 'comment'; text: string }

/** The parsed record of one raw connection, with bounded waits for what a test expects. */
export interface RawItems {
  /** Everything parsed so far, in order. */
  readonly items: readonly RawItem[]
  /** The events only (no ids, comments or retries). */
  readonly events: readonly RawEvent[]
  /** Every character received so far, in order (WebSocket: the frames joined). */
  readonly text: string
  /** Whether the connection has ended. */
  readonly ended: boolean
  /** Resolves once `check(items)` holds; rejects after `timeoutMs` with what arrived. */
  waitFor(check: (items: readonly RawItem[]) => boolean, timeoutMs?: number): Promise<void>
  /** Resolves with the first `count` events once they arrived. */
  waitForEvents(count: number, timeoutMs?: number): Promise<RawEvent[]>
  /** Resolves once the connection ended (by the server or by close()). */
  waitForEnd(timeoutMs?: number): Promise<void>
}

/** The writable side a raw reader feeds: parsed text in, the end of the connection. */
export interface RawItemsFeed extends RawItems {
  feed(text: string): void
  end(): void
}

/** Default bound of every wait: long enough for a loaded CI box, short enough to fail fast. */
export const DEFAULT_WAIT_MS = 5_000

/**
 * Creates the parsed record of a raw connection on `eventsource-parser`. An `id:` block
 * with no data becomes an `id` item, as the spec's "set the last event ID buffer" without a
 * dispatch.
 */
export function createRawItems(label: string): RawItemsFeed {
  const items: RawItem[] = []
  const events: RawEvent[] = []
  const watchers = new Set<() => void>()
  let ended = false
  let text = ''
  // eventsource-parser calls onId right before onEvent for a block with data: hold it until
  // we know whether the block dispatched.
  let heldId: string | undefined

  const push = (item: RawItem) => {
    items.push(item)
    if (item.kind === 'event') events.push(item)
  }
  const flushHeldId = () => {
    if (heldId === undefined) return
    push({ kind: 'id', id: heldId })
    heldId = undefined
  }
  const notify = () => {
    for (const watcher of [...watchers]) watcher()
  }

  const parser = createParser({
    onId(id) {
      flushHeldId()
      heldId = id
    },
    onEvent(message) {
      heldId = undefined
      push({ kind: 'event', type: message.event ?? 'message', data: message.data, id: message.id })
    },
    onRetry(ms) {
      flushHeldId()
      push({ kind: 'retry', ms })
    },
    onComment(text) {
      flushHeldId()
      push({ kind: 'comment', text })
    },
  })

  const waitFor = (check: (all: readonly RawItem[]) => boolean, timeoutMs = DEFAULT_WAIT_MS) =>
    new Promise<void>((resolve, reject) => {
      const fail = (why: string) =>
        new Error(`${label}: ${why}; last items ${JSON.stringify(items.slice(-20))}`)
      if (check(items)) return resolve()
      if (ended) return reject(fail('the connection had ended'))
      const watcher = () => {
        const met = check(items)
        if (!met && !ended) return
        watchers.delete(watcher)
        clearTimeout(timer)
        if (met) resolve()
        else reject(fail('the connection ended first'))
      }
      const timer = setTimeout(() => {
        watchers.delete(watcher)
        reject(fail(`condition not met within ${timeoutMs} ms`))
      }, timeoutMs)
      watchers.add(watcher)
    })

  return {
    items,
    events,
    get text() {
      return text
    },
    get ended() {
      return ended
    },
    waitFor,
    async waitForEvents(count, timeoutMs) {
      await waitFor(() => events.length >= count, timeoutMs)
      return events.slice(0, count)
    },
    waitForEnd(timeoutMs) {
      return waitFor(() => ended, timeoutMs)
    },
    feed(chunk) {
      text += chunk
      parser.feed(chunk)
      flushHeldId()
      notify()
    },
    end() {
      flushHeldId()
      ended = true
      notify()
    },
  }
}
