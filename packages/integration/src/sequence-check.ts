/** What a {@link SequenceCheck} found. */
export interface SequenceReport {
  /** Distinct sequence numbers seen. */
  delivered: number
  /** Sequence numbers in 1..total never seen. */
  lost: number
  /** Sequence numbers seen more than once (each repeat counted). */
  duplicates: number
  /** Events that arrived after a higher sequence number. */
  outOfOrder: number
  /** The first few lost sequence numbers, for the failure message. */
  firstLost: number[]
}

/** Counts loss, duplicates and reordering of events `1..total`, one bit per event. */
export interface SequenceCheck {
  /** Records that event `seq` reached the app. */
  see(seq: number): void
  report(): SequenceReport
}

/**
 * A bitset over `1..total`: loss and duplicates are counted separately, so a run that loses
 * one event and repeats another cannot pass as "the right count".
 *
 * @example
 * ```ts
 * const check = createSequenceCheck(20_000)
 * client.on('message', (e) => check.see(Number(e.data)))
 * expect(check.report()).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0 })
 * ```
 */
export function createSequenceCheck(total: number): SequenceCheck {
  const bits = new Uint8Array(Math.ceil((total + 1) / 8))
  let delivered = 0
  let duplicates = 0
  let outOfOrder = 0
  let highest = 0
  return {
    see(seq) {
      if (!Number.isInteger(seq) || seq < 1 || seq > total)
        throw new RangeError(`event ${seq} is outside 1..${total}`)
      const byte = seq >> 3
      const bit = 1 << (seq & 7)
      if (((bits[byte] as number) & bit) !== 0) duplicates++
      else {
        bits[byte] = (bits[byte] as number) | bit
        delivered++
      }
      if (seq < highest) outOfOrder++
      else highest = seq
    },
    report() {
      const firstLost: number[] = []
      for (let seq = 1; seq <= total && firstLost.length < 10; seq++) {
        if (((bits[seq >> 3] as number) & (1 << (seq & 7))) === 0) firstLost.push(seq)
      }
      return { delivered, lost: total - delivered, duplicates, outOfOrder, firstLost }
    },
  }
}
