import type { ConnectionState } from '@lifeline/core'

/** What a mark on the timeline stands for; the legend names each. */
export type MarkKind = 'fault' | 'drop' | 'switch' | 'probe' | 'gap' | 'resumed'

/** One moment worth a mark: on one transport's lane, or across every lane (a fault). */
export interface Mark {
  at: number
  kind: MarkKind
  /** The transport's lane, or `undefined` across all lanes. */
  lane: string | undefined
  label: string
}

/** A stretch of time one transport was trying (`connecting`) or serving (`open`). */
export interface Segment {
  lane: string
  state: 'connecting' | 'open'
  from: number
  /** `undefined` while it lasts. */
  to: number | undefined
}

/** One delivered event, on the lane of the transport that delivered it. */
export interface Delivery {
  at: number
  lane: string
  replayed: boolean
}

/** The model the page draws: lanes, the stretches on them, marks and deliveries. */
export interface Timeline {
  readonly lanes: readonly string[]
  readonly segments: readonly Segment[]
  readonly marks: readonly Mark[]
  readonly deliveries: readonly Delivery[]
  /** The client's state or transport now (from its `state` and `transport` events). */
  connection(state: ConnectionState, transport: string, at: number): void
  mark(kind: MarkKind, lane: string | undefined, label: string, at: number): void
  delivered(lane: string, at: number): void
  /** The last `count` deliveries were a replay (the client's `resumed`). */
  replayed(count: number): void
  /** Forgets what ended before `before`, so memory stays bounded on a page left open. */
  prune(before: number): void
}

const drawn = (state: ConnectionState): Segment['state'] | undefined =>
  state === 'open'
    ? 'open'
    : state === 'connecting' || state === 'reconnecting'
      ? 'connecting'
      : undefined

/**
 * Creates the model for a client with these transports, one lane each in their order. Pure:
 * the page passes the time in, and the tests do too.
 *
 * @example
 * ```ts
 * const timeline = createTimeline(['sse-fetch', 'websocket', 'sse-xhr'])
 * timeline.connection('open', 'sse-fetch', performance.now())
 * ```
 */
export function createTimeline(lanes: readonly string[]): Timeline {
  let segments: Segment[] = []
  let marks: Mark[] = []
  let deliveries: Delivery[] = []
  let current: Segment | undefined
  return {
    lanes,
    get segments() {
      return segments
    },
    get marks() {
      return marks
    },
    get deliveries() {
      return deliveries
    },
    connection(state, lane, at) {
      const next = drawn(state)
      if (current !== undefined && current.lane === lane && current.state === next) return
      if (current !== undefined) current.to = at
      current = next === undefined ? undefined : { lane, state: next, from: at, to: undefined }
      if (current !== undefined) segments.push(current)
    },
    mark(kind, lane, label, at) {
      marks.push({ at, kind, lane, label })
    },
    delivered(lane, at) {
      deliveries.push({ at, lane, replayed: false })
    },
    replayed(count) {
      // slice(-0) would be every delivery.
      if (count > 0) for (const delivery of deliveries.slice(-count)) delivery.replayed = true
    },
    prune(before) {
      segments = segments.filter((s) => s.to === undefined || s.to >= before)
      marks = marks.filter((m) => m.at >= before)
      deliveries = deliveries.filter((d) => d.at >= before)
    },
  }
}
