import type { Placement } from './channel'
import type { LogEntry } from './log'
import type { Pipe } from './options'

/**
 * The connection a subscriber writes through, one per pipe. One write is in flight at a
 * time; `written` fires once the chunk has left for the OS, which is the backpressure.
 */
export interface Outlet {
  write(chunk: Uint8Array, written: () => void): void
  /** Ends the connection after everything written so far. */
  end(): void
  /** Drops the connection at once. */
  destroy(): void
  /** Called on every heartbeat tick; the WebSocket outlet checks the peer is alive. */
  tick?(): void
}

/**
 * `starting`: replaying, live entries are held in `pending`; `live`: live entries go out
 * as they come; `ending`: the last chunk is draining; `ended`: gone.
 */
export type SubscriberState = 'starting' | 'live' | 'ending' | 'ended'

/** One client connection on one stream. */
export interface Subscriber {
  readonly stream: string
  readonly pipe: Pipe
  readonly state: SubscriberState
  /** Live entries that arrived while the subscriber was starting. */
  readonly pending: LogEntry[]
  /** Bytes queued or in flight. */
  readonly bufferedBytes: number
  /** Queues a chunk; cuts the subscriber if that puts it over its limit. */
  send(chunk: Uint8Array): void
  /** Holds a live entry that arrived during the replay; cuts past the limit. */
  hold(entry: LogEntry, bytes: number): void
  /** Resolves once the queue has gone out (or the subscriber is gone): replay pacing. */
  flushed(): Promise<void>
  /** Marks the replay done: from now on live entries are sent directly. */
  goLive(): void
  /** Told where the channel placed it, before those bytes are queued; a poll acts on it. */
  placed?(placement: Placement): void
  /** Sends a heartbeat when nothing else is on its way. */
  heartbeat(chunk: Uint8Array): void
  /** Sends `last` (if any) after everything queued, then ends the connection. */
  end(last?: Uint8Array): void
  /** Drops the connection at once. */
  destroy(): void
  /** The connection went away (client left, or after end/destroy); idempotent. */
  gone(): void
}

/** Largest write made of several queued chunks: one WebSocket frame, one socket write. */
export const MAX_PACKED_BYTES = 64 * 1024

export interface SubscriberOptions {
  stream: string
  pipe: Pipe
  outlet: Outlet
  maxBufferedBytes: number
  /** The subscriber went over `maxBufferedBytes` and was destroyed. */
  onCut(subscriber: Subscriber): void
  /** The subscriber is gone for good; called once. */
  onGone(subscriber: Subscriber): void
}

/** Packs queued chunks into one write of at most {@link MAX_PACKED_BYTES} (or one chunk). */
function pack(queue: Uint8Array[]): Uint8Array {
  const first = queue[0]!
  let count = 1
  let size = first.byteLength
  while (count < queue.length && size + queue[count]!.byteLength <= MAX_PACKED_BYTES) {
    size += queue[count]!.byteLength
    count++
  }
  if (count === 1) return queue.shift()!
  const packed = new Uint8Array(size)
  let offset = 0
  for (const chunk of queue.splice(0, count)) {
    packed.set(chunk, offset)
    offset += chunk.byteLength
  }
  return packed
}

/**
 * Creates a subscriber: a queue in front of an outlet with one write in flight. While a
 * write is out, later chunks wait and then leave together, so a busy or slow client gets
 * fewer, larger writes instead of an unbounded backlog.
 */
export function createSubscriber(options: SubscriberOptions): Subscriber {
  const { outlet, maxBufferedBytes } = options
  let state: SubscriberState = 'starting'
  let queue: Uint8Array[] = []
  let queuedBytes = 0
  let inFlightBytes = 0
  let pendingBytes = 0
  const pending: LogEntry[] = []
  let waiters: (() => void)[] = []

  const wake = () => {
    const woken = waiters
    waiters = []
    for (const resolve of woken) resolve()
  }

  const over = () => queuedBytes + inFlightBytes + pendingBytes > maxBufferedBytes

  const write = (chunk: Uint8Array) => {
    inFlightBytes = chunk.byteLength
    outlet.write(chunk, written)
  }

  function written() {
    inFlightBytes = 0
    if (state === 'ended') return
    if (queue.length > 0) {
      const chunk = pack(queue)
      queuedBytes -= chunk.byteLength
      write(chunk)
    } else {
      wake()
      if (state === 'ending') outlet.end()
    }
  }

  const enqueue = (chunk: Uint8Array) => {
    if (inFlightBytes === 0 && queue.length === 0) write(chunk)
    else {
      queue.push(chunk)
      queuedBytes += chunk.byteLength
    }
  }

  const cut = () => {
    options.onCut(subscriber)
    subscriber.destroy()
  }

  const subscriber: Subscriber = {
    stream: options.stream,
    pipe: options.pipe,
    pending,
    get state() {
      return state
    },
    get bufferedBytes() {
      return queuedBytes + inFlightBytes + pendingBytes
    },
    send(chunk) {
      if (state !== 'starting' && state !== 'live') return
      enqueue(chunk)
      if (over()) cut()
    },
    hold(entry, bytes) {
      if (state !== 'starting') return
      pending.push(entry)
      pendingBytes += bytes
      if (over()) cut()
    },
    flushed() {
      if (state === 'ended' || queue.length === 0) return Promise.resolve()
      return new Promise((resolve) => waiters.push(resolve))
    },
    goLive() {
      if (state !== 'starting') return
      state = 'live'
      pending.length = 0
      pendingBytes = 0
    },
    heartbeat(chunk) {
      outlet.tick?.()
      if (state === 'live' && inFlightBytes === 0 && queue.length === 0) write(chunk)
    },
    end(last) {
      if (state === 'ending' || state === 'ended') return
      state = 'ending'
      if (last !== undefined) enqueue(last)
      if (inFlightBytes === 0 && queue.length === 0) outlet.end()
    },
    destroy() {
      if (state === 'ended') return
      outlet.destroy()
      subscriber.gone()
    },
    gone() {
      if (state === 'ended') return
      state = 'ended'
      queue = []
      queuedBytes = 0
      inFlightBytes = 0
      pending.length = 0
      pendingBytes = 0
      wake()
      options.onGone(subscriber)
    },
  }
  return subscriber
}
