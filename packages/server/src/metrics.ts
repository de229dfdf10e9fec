import type { Placement } from './channel'
import type { Pipe } from './options'
import type { Subscriber } from './subscriber'

/** A count for each pipe. */
export type PipeCounts = Record<Pipe, number>

/** The open connections of one stream, by pipe. */
export interface StreamStats {
  stream: string
  connections: PipeCounts
}

/**
 * A snapshot of the hub: what is open now, and counters since `createHub` (they only grow).
 * A poll of the long-poll transport is one connection while it is open, so `accepted` and
 * `resumes` grow with every poll.
 *
 * @example
 * ```ts
 * const { clients, connections, published, resets } = hub.stats()
 * console.log(`${clients} open (${connections['long-poll']} polls), ${published} published, ${resets} resets`)
 * ```
 */
export interface HubStats {
  /** Open connections, every pipe. */
  clients: number
  /** Streams with at least one connection. */
  streams: number
  /** Bytes queued for all connections together. */
  bufferedBytes: number
  /** Open connections by pipe. */
  connections: PipeCounts
  /** Open connections by stream and pipe: one entry per stream with a connection. */
  perStream: StreamStats[]
  /** Connections accepted since the hub was created, by pipe (answers such as 429 or 503 are not). */
  accepted: PipeCounts
  /** Events this hub published (other instances sharing the log count their own). */
  published: number
  /** Connections that resumed from a resume point the log could serve. */
  resumes: number
  /** Events replayed to resuming connections, all together. */
  replayedEvents: number
  /** `reset` control events sent: resume points the log could not serve, and lost history. */
  resets: number
  /** Connections cut for reading too slowly (more than `maxBufferedBytes` waiting). */
  cuts: number
  /** Bytes written to connections, every pipe (heartbeats and control events included). */
  bytesWritten: number
}

/**
 * One countable thing, told to `onMetric` as it happens; a union on `kind`. Bytes written
 * are not among them (they would cost a call per write): read them from `hub.stats()`.
 *
 * @example
 * ```ts
 * const onMetric = (metric: HubMetric) => {
 *   if (metric.kind === 'reset') console.warn(`reset on ${metric.stream} over ${metric.pipe}`)
 * }
 * ```
 */
export type HubMetric =
  | { kind: 'connected'; stream: string; pipe: Pipe }
  | { kind: 'disconnected'; stream: string; pipe: Pipe }
  | { kind: 'published'; stream: string }
  | { kind: 'resumed'; stream: string; pipe: Pipe; replayed: number }
  | { kind: 'reset'; stream: string; pipe: Pipe }
  | { kind: 'cut'; stream: string; pipe: Pipe; bufferedBytes: number }

/** The hub's counters, fed by the hub and its channels. */
export interface Metrics {
  connected(subscriber: Subscriber): void
  disconnected(subscriber: Subscriber): void
  published(stream: string): void
  placed(subscriber: Subscriber, placement: Placement): void
  cut(subscriber: Subscriber, bufferedBytes: number): void
  /** Bytes handed to a connection: an addition, never a call out. */
  written(bytes: number): void
  snapshot(subscribers: ReadonlySet<Subscriber>, streams: number): HubStats
}

const pipeCounts = (): PipeCounts => ({ sse: 0, websocket: 0, 'long-poll': 0 })

/**
 * Creates the counters of one hub. `onMetric` is called for each countable thing; what it
 * throws goes to `onError`, so a broken metrics hook never breaks a connection.
 */
export function createMetrics(
  onMetric: ((metric: HubMetric) => void) | undefined,
  onError: (error: unknown) => void,
): Metrics {
  const open = pipeCounts()
  const accepted = pipeCounts()
  let published = 0
  let resumes = 0
  let replayedEvents = 0
  let resets = 0
  let cuts = 0
  let bytesWritten = 0

  const tell = (metric: HubMetric) => {
    if (onMetric === undefined) return
    try {
      onMetric(metric)
    } catch (error) {
      onError(error)
    }
  }

  return {
    connected({ stream, pipe }) {
      open[pipe]++
      accepted[pipe]++
      tell({ kind: 'connected', stream, pipe })
    },
    disconnected({ stream, pipe }) {
      open[pipe]--
      tell({ kind: 'disconnected', stream, pipe })
    },
    published(stream) {
      published++
      tell({ kind: 'published', stream })
    },
    placed({ stream, pipe }, placement) {
      if (placement.kind === 'resumed') {
        resumes++
        replayedEvents += placement.replayed
        tell({ kind: 'resumed', stream, pipe, replayed: placement.replayed })
      } else if (placement.kind === 'reset') {
        resets++
        tell({ kind: 'reset', stream, pipe })
      }
    },
    cut({ stream, pipe }, bufferedBytes) {
      cuts++
      tell({ kind: 'cut', stream, pipe, bufferedBytes })
    },
    written(bytes) {
      bytesWritten += bytes
    },
    snapshot(subscribers, streams) {
      let bufferedBytes = 0
      const byStream = new Map<string, PipeCounts>()
      for (const subscriber of subscribers) {
        bufferedBytes += subscriber.bufferedBytes
        let counts = byStream.get(subscriber.stream)
        if (counts === undefined) {
          counts = pipeCounts()
          byStream.set(subscriber.stream, counts)
        }
        counts[subscriber.pipe]++
      }
      return {
        clients: subscribers.size,
        streams,
        bufferedBytes,
        connections: { ...open },
        perStream: [...byStream].map(([stream, connections]) => ({ stream, connections })),
        accepted: { ...accepted },
        published,
        resumes,
        replayedEvents,
        resets,
        cuts,
        bytesWritten,
      }
    },
  }
}
