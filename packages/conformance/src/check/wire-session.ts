import { createChanges, until } from '../wait'
import { isBareRetry, type WireBlock, type WireItem } from './blocks'

/** Items one session keeps at most: a server publishing fast cannot grow the check's memory. */
const MAX_ITEMS = 100_000

/** One open stream the check reads, whichever the pipe: what arrived, and how it ended. */
export interface WireSession {
  /** Every item so far, in order. */
  readonly items: readonly WireItem[]
  /** How the stream ended (`the response ended`, `closed with code 1012` …), once it has. */
  readonly end: string | undefined
  /** Resolves once the stream has ended; rejects after `timeoutMs`. */
  ended(timeoutMs: number): Promise<string>
  /** Where the session is read from: next items, bounded waits. */
  cursor(timeoutMs: number, from?: number): Cursor
  close(): void
}

/** Reads a session from a position on, waiting for what has not arrived yet. */
export interface Cursor {
  /** The index of the next item to read. */
  readonly position: number
  /** The next item `accept` takes (the ones before it are passed over); bounded. */
  next<T extends WireItem>(what: string, accept: (item: WireItem) => item is T): Promise<T>
  next(what: string, accept?: (item: WireItem) => boolean): Promise<WireItem>
  /** The next block, passing over comments (and `retry:` hints unless `retries`). */
  nextBlock(what: string, options?: { retries?: boolean }): Promise<WireBlock>
}

/** What a pipe's reader feeds into a session. */
export interface SessionFeed {
  readonly session: WireSession
  push(items: readonly WireItem[]): void
  finish(end: string): void
}

/** Creates a session for a pipe to feed; `release` lets the connection go. */
export function createWireSession(release: () => void): SessionFeed {
  const items: WireItem[] = []
  const changes = createChanges()
  let end: string | undefined

  const finish = (how: string) => {
    if (end !== undefined) return
    end = how
    release()
    changes.notify()
  }

  const cursor = (timeoutMs: number, from = 0): Cursor => {
    let position = from
    const next = (what: string, accept: (item: WireItem) => boolean = () => true) =>
      until(
        () => {
          for (; position < items.length; position++) {
            const item = items[position]!
            if (accept(item)) {
              position++
              return item
            }
          }
          if (end !== undefined) throw new Error(`${end} before ${what}`)
          return undefined
        },
        what,
        { wake: changes.wake, timeoutMs },
      )
    return {
      get position() {
        return position
      },
      next: next as Cursor['next'],
      async nextBlock(what, options = {}) {
        const item = await next(
          what,
          (i) => i.kind === 'block' && (options.retries === true || !isBareRetry(i)),
        )
        return item as WireBlock
      },
    }
  }

  const session: WireSession = {
    items,
    get end() {
      return end
    },
    ended: (timeoutMs) =>
      until(() => end, 'the end of the stream', { wake: changes.wake, timeoutMs }),
    cursor,
    close: () => finish('closed by the check'),
  }

  return {
    session,
    push(arrived) {
      if (end !== undefined || arrived.length === 0) return
      for (const item of arrived) items.push(item)
      if (items.length > MAX_ITEMS) finish(`over ${MAX_ITEMS} items arrived`)
      changes.notify()
    },
    finish,
  }
}

/** `session` with a pipe's own fields added, getters kept live (unlike `Object.assign`). */
export function extendSession<T extends object>(session: WireSession, fields: T): WireSession & T {
  return Object.defineProperties(session, Object.getOwnPropertyDescriptors(fields)) as WireSession &
    T
}
