import { exceedsBytes } from '../transport/message-size'

/**
 * What {@link ResumePoint.accept} made of an id: `new` moved the resume point, `duplicate`
 * was delivered before (drop the event, keep the point), `lost` was too long to keep, so
 * exact resume is no longer possible (deliver the event, then tell the app: `gap`).
 */
export type Acceptance = 'new' | 'duplicate' | 'lost'

/**
 * The resume point the client owns, and the ids of the events it delivered recently, so a
 * replay that overlaps them (another pipe, an at-least-once server) delivers nothing twice.
 */
export interface ResumePoint {
  /** The last id the stream set; `undefined` when there is none or it was dropped. */
  readonly lastEventId: string | undefined
  /** An event's `id`, or an id-only block (the position block). */
  accept(id: string): Acceptance
  /** Forgets the point and the window (a `gap`); returns the point it had. */
  drop(): string | undefined
}

/** Whether `a` comes after `b` ordered by length, then by code unit: counters sort right. */
const after = (a: string, b: string) => a.length > b.length || (a.length === b.length && a > b)

/**
 * Creates the resume point, with a window of the last `duplicateWindow` ids. Most ids are
 * settled without hashing: the window keeps the greatest id it took (by {@link after}), and
 * an id past it cannot be in the window — counters, ULIDs and other ordered ids, that is
 * nearly every event. Any other id is looked up in a set built from the window on demand
 * and kept while ids keep arriving out of order.
 */
export function createResumePoint(
  initial: string | undefined,
  limits: { duplicateWindow: number; maxIdBytes: number },
  changed: () => void = () => {},
): ResumePoint {
  const { duplicateWindow: size, maxIdBytes } = limits
  // The last `size` ids; `next` is the oldest once the ring is full.
  let ring: string[] = []
  let next = 0
  let greatest: string | undefined
  let set: Set<string> | undefined
  // Ids in order since the set was last needed: after a window's worth, it goes.
  let calm = 0
  // Inside a run of ids too long to keep: the loss was reported at its first one.
  let unkept = false

  /** Sets the point; `lastEventId` is a plain field, read on every event. */
  const move = (to: string | undefined) => {
    ;(point as { lastEventId: string | undefined }).lastEventId = to
    changed()
  }

  const keep = (id: string) => {
    // [V8] a slice of 13 or more characters points into the chunk it came from, and the
    // window would hold every such chunk alive: keep a copy of the id alone.
    const kept = id.length < 13 ? id : `${id} `.trimEnd()
    if (ring.length < size) ring.push(kept)
    else {
      set?.delete(ring[next] as string)
      ring[next] = kept
      next = (next + 1) % size
    }
    if (set !== undefined) {
      set.add(kept)
      if (++calm >= size) set = undefined
    }
    move(kept)
    return 'new' as const
  }

  const point: ResumePoint = {
    lastEventId: initial,
    accept(id) {
      // [spec] an empty id field resets the last event id buffer; it is never a duplicate.
      if (id === '') {
        unkept = false
        move(undefined)
        return 'new'
      }
      if (exceedsBytes(id, maxIdBytes)) {
        // [design] bounded ids: the event still goes out, the id is never kept or sent back.
        move(undefined)
        if (unkept) return 'new'
        unkept = true
        return 'lost'
      }
      unkept = false
      if (greatest === undefined || after(id, greatest)) {
        greatest = id
        return keep(id)
      }
      set ??= new Set(ring)
      calm = 0
      return set.has(id) ? 'duplicate' : keep(id)
    },
    drop() {
      const dropped = point.lastEventId
      greatest = set = undefined
      ring = []
      next = 0
      unkept = false
      move(undefined)
      return dropped
    },
  }
  return point
}
