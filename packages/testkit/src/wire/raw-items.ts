import { createParser } from 'eventsource-parser'
import { createNotifier, until } from '../wait'

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

/**
 * Creates the parsed record of a raw connection on `eventsource-parser`. An `id:` block
 * with no data becomes an `id` item, as the spec's "set the last event ID buffer" without a
 * dispatch.
 */
export function createRawItems(label: string): RawItemsFeed {
  const items: RawItem[] = []
  const events: RawEvent[] = []
  const changes = createNotifier()
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

  const waitFor = async (check: (all: readonly RawItem[]) => boolean, timeoutMs?: number) => {
    const lastItems = () => `last items ${JSON.stringify(items.slice(-20))}`
    await until(
      () => {
        if (check(items)) return true
        if (ended) throw new Error(`${label}: the connection ended first; ${lastItems()}`)
        return false
      },
      `${label} to meet the condition`,
      { wake: changes.wake, timeoutMs, detail: lastItems },
    )
  }

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
      changes.notify()
    },
    end() {
      flushHeldId()
      ended = true
      changes.notify()
    },
  }
}
