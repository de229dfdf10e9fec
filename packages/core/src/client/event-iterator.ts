import type { StreamEvent } from '../events'

/** Where an iterator gets its events from: the client pushes, and ends it on close. */
export interface IteratorFeed {
  push(event: StreamEvent): void
  end(): void
}

/**
 * An async iterator over the events pushed into `feed`, buffered until the loop asks for
 * them; it ends when the feed ends or the loop breaks (`return`, which calls `detach`).
 */
export function createEventIterator(
  attach: (feed: IteratorFeed) => void,
  detach: (feed: IteratorFeed) => void,
  ended: boolean,
): AsyncIterator<StreamEvent> {
  const queue: StreamEvent[] = []
  let head = 0
  let waiting: ((result: IteratorResult<StreamEvent>) => void) | undefined
  const done = (): IteratorResult<StreamEvent> => ({ done: true, value: undefined })
  const feed: IteratorFeed = {
    push(event) {
      if (waiting === undefined) queue.push(event)
      else {
        const resolve = waiting
        waiting = undefined
        resolve({ done: false, value: event })
      }
    },
    end() {
      ended = true
      const resolve = waiting
      waiting = undefined
      resolve?.(done())
    },
  }
  if (!ended) attach(feed)
  return {
    next() {
      if (head < queue.length) {
        const value = queue[head++] as StreamEvent
        // Reset the array once drained, so a long-lived loop does not keep what it consumed.
        if (head === queue.length) {
          queue.length = 0
          head = 0
        }
        return Promise.resolve({ done: false, value })
      }
      if (ended) return Promise.resolve(done())
      return new Promise((resolve) => {
        waiting = resolve
      })
    },
    return() {
      detach(feed)
      feed.end()
      return Promise.resolve(done())
    },
  }
}
