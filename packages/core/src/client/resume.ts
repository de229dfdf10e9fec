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

/**
 * Creates the resume point. The window remembers at least `windowSize` ids and at most
 * twice that: two generations of `windowSize` each, the older dropped whole when the newer
 * fills, so nothing is deleted per event and an idle client holds no set at all.
 */
export function createResumePoint(
  initial: string | undefined,
  limits: { duplicateWindow: number; maxIdBytes: number },
): ResumePoint {
  const { duplicateWindow: windowSize, maxIdBytes } = limits
  let lastEventId = initial
  let newer: Set<string> | undefined
  let older: Set<string> | undefined
  // Inside a run of ids too long to keep: the loss was reported at its first one.
  let unkept = false

  return {
    get lastEventId() {
      return lastEventId
    },
    accept(id) {
      // [spec] an empty id field resets the last event id buffer; it is never a duplicate.
      if (id === '') {
        lastEventId = undefined
        unkept = false
        return 'new'
      }
      if (exceedsBytes(id, maxIdBytes)) {
        // [design] bounded ids: the event still goes out, the id is never kept or sent back.
        lastEventId = undefined
        if (unkept) return 'new'
        unkept = true
        return 'lost'
      }
      unkept = false
      if (newer?.has(id) || older?.has(id)) return 'duplicate'
      if (newer === undefined || newer.size >= windowSize) {
        older = newer
        newer = new Set()
      }
      newer.add(id)
      lastEventId = id
      return 'new'
    },
    drop() {
      const dropped = lastEventId
      lastEventId = undefined
      newer = older = undefined
      unkept = false
      return dropped
    },
  }
}
