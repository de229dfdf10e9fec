import type { Placement } from './channel'
import type { LogEntry } from './log'
import { positionBlock } from './serialize'
import type { Subscriber } from './subscriber'

/** Most bytes of events in one poll's answer: a proxy that buffers whole answers holds little. */
export const MAX_POLL_BYTES = 256 * 1024

/** What a poll needs beside the subscriber it ends. */
export interface PollOptions {
  /** Ms to hold a poll that has nothing to send, already capped by `pollTimeout`. */
  hold: number
  /** Bytes of events after which the answer ends; the client polls again for the rest. */
  maxBytes: number
  /** The entry a chunk is the block of, to put its id in the closing position block. */
  entryOf(chunk: Uint8Array): LogEntry | undefined
  /** Told how the poll was placed, with the events it really replayed (metrics). */
  onPlaced(placement: Placement): void
}

/**
 * Turns `subscriber` into one long-poll (DESIGN: long-poll wire). The channel starts it as
 * any connection — `reset` if its resume point is unknown, the replay, the position block —
 * and the poll decides when its answer ends: at once when that start had anything to give
 * (no resume point, a reset, any event), else at the first live events (a tick later, so a
 * burst goes in one answer) or after `hold` ms with the position block alone. Every answer
 * ends with the position block; no heartbeat is written inside a poll.
 */
export function pollSubscriber(subscriber: Subscriber, options: PollOptions): Subscriber {
  /**
   * `starting`: the channel is placing it; `holding`: live with nothing sent yet, `hold`
   * running; `answering`: live events went out, the answer ends a tick later; `over`.
   */
  let phase: 'starting' | 'holding' | 'answering' | 'over' = 'starting'
  let timer: ReturnType<typeof setTimeout> | undefined
  let placement: Placement | undefined
  let resumed: number | undefined
  let events = 0
  let eventBytes = 0
  let last: string | undefined
  let endsWithEvent = false

  const release = () => {
    phase = 'over'
    clearTimeout(timer)
    timer = undefined
    if (resumed === undefined) return
    // Counted once the poll is over: a poll that stopped at its byte cap replayed less.
    options.onPlaced({ kind: 'resumed', replayed: Math.min(resumed, events) })
    resumed = undefined
  }

  const finish = () => {
    if (phase === 'over') return
    release()
    // [design] the position block ends every answer; after events it carries the last id.
    subscriber.end(endsWithEvent && last !== undefined ? positionBlock(last) : undefined)
  }

  /** Ends the answer once the current burst is in: one tick later, one timer per answer. */
  const answer = () => {
    if (phase !== 'holding') return
    phase = 'answering'
    clearTimeout(timer)
    timer = setTimeout(finish, 0)
  }

  return {
    get stream() {
      return subscriber.stream
    },
    get pipe() {
      return subscriber.pipe
    },
    get state() {
      return subscriber.state
    },
    get pending() {
      return subscriber.pending
    },
    get bufferedBytes() {
      return subscriber.bufferedBytes
    },
    send(chunk) {
      if (phase === 'over') return
      subscriber.send(chunk)
      const entry = options.entryOf(chunk)
      endsWithEvent = entry !== undefined
      if (entry !== undefined) {
        last = entry.id
        events++
        eventBytes += chunk.byteLength
        if (eventBytes >= options.maxBytes) return finish()
      }
      answer()
    },
    hold: (entry, bytes) => subscriber.hold(entry, bytes),
    flushed: () => subscriber.flushed(),
    goLive() {
      subscriber.goLive()
      if (phase !== 'starting') return
      // [design] a poll with no resume point, or one answered with reset, is answered at
      // once: it has a position to give. So is one that got any event.
      if (placement?.kind !== 'resumed' || events > 0) return finish()
      phase = 'holding'
      timer = setTimeout(finish, options.hold)
    },
    placed(next) {
      placement = next
      if (next.kind === 'resumed') resumed = next.replayed
      else options.onPlaced(next)
    },
    // [design] no heartbeats inside a poll: it is short, and a proxy that buffers it would
    // hold them back anyway.
    heartbeat() {},
    end(chunk) {
      release()
      subscriber.end(chunk)
    },
    destroy() {
      release()
      subscriber.destroy()
    },
    // The pipe calls this however the connection went (a cut included), so the timer and
    // the count go with it.
    gone() {
      release()
      subscriber.gone()
    },
  }
}
