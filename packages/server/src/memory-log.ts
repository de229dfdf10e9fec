import { LifelineError } from '@lifeline/core'
import type { EventLog, LogEntry, NewEvent, NewestEntries, PublishOptions, ReadResult } from './log'

/**
 * Options of {@link memoryLog}.
 *
 * @example
 * ```ts
 * memoryLog({ capacity: 1_000, epoch: 'blue' })
 * ```
 */
export interface MemoryLogOptions {
  /** Events kept per stream; the oldest are dropped beyond it. Default 10,000. */
  capacity?: number
  /**
   * Prefix of every id (`<epoch>-<seq>`), `[A-Za-z0-9._:]`, 1 to 32 characters. Default: a
   * fresh random value, so ids from a previous process are never mistaken for new ones.
   */
  epoch?: string
}

const EPOCH_PATTERN = /^[A-Za-z0-9._:]{1,32}$/
const SEQ_PATTERN = /^(0|[1-9][0-9]{0,15})$/

/** A bounded ring of one stream's entries; sequence numbers start at 1. */
interface Ring {
  readonly slots: (LogEntry | undefined)[]
  /** Sequence number of the newest entry; 0 before the first append. */
  last: number
  readonly listeners: Set<(entry: LogEntry) => void>
  /** Idempotency keys of retained entries, to their sequence number; made by the first key. */
  keys?: Map<string, number>
  /** The key each slot's entry was stored with, beside `slots`, to forget it on eviction. */
  slotKeys?: (string | undefined)[]
}

const EMPTY: Ring = { slots: [], last: 0, listeners: new Set() }

function randomEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  let epoch = ''
  for (const byte of bytes) epoch += (byte % 36).toString(36)
  return epoch
}

/**
 * The default {@link EventLog}: a bounded ring per stream, in this process's memory. Ids are
 * `<epoch>-<seq>`; the epoch is new for every log, so after a restart an old id is never
 * taken for a new one: it reads as `lost` (another epoch), and the hub answers `reset`
 * followed by this log's events from its first one (the newest `maxReplay` of them). An
 * idempotency key is remembered for as long as its entry is retained.
 *
 * @example
 * ```ts
 * const hub = createHub({ log: memoryLog({ capacity: 10_000 }) })
 * ```
 */
export function memoryLog(options: MemoryLogOptions = {}): EventLog {
  const capacity = options.capacity ?? 10_000
  if (!Number.isSafeInteger(capacity) || capacity < 1)
    throw new LifelineError('invalid-option', `memoryLog capacity must be a positive integer`)
  const epoch = options.epoch ?? randomEpoch()
  if (!EPOCH_PATTERN.test(epoch))
    throw new LifelineError('invalid-option', `memoryLog epoch must match ${EPOCH_PATTERN}`)
  const prefix = `${epoch}-`
  const rings = new Map<string, Ring>()

  const ringOf = (stream: string): Ring => {
    let ring = rings.get(stream)
    if (ring === undefined) {
      // Slots grow with the first appends, so a stream that is only read or watched costs
      // next to nothing.
      ring = { slots: [], last: 0, listeners: new Set() }
      rings.set(stream, ring)
    }
    return ring
  }
  const peek = (stream: string): Ring => rings.get(stream) ?? EMPTY
  const firstRetained = (ring: Ring) => Math.max(1, ring.last - capacity + 1)
  const entryAt = (ring: Ring, seq: number) => ring.slots[(seq - 1) % capacity]

  /** The sequence number an id of ours carries, or undefined for any other id. */
  const seqOf = (id: string): number | undefined => {
    if (!id.startsWith(prefix)) return undefined
    const digits = id.slice(prefix.length)
    return SEQ_PATTERN.test(digits) ? Number(digits) : undefined
  }

  /** Whether `id` is shaped like an id of another memory log: one from before a restart. */
  const ofAnotherEpoch = (id: string): boolean => {
    const dash = id.lastIndexOf('-')
    const epochPart = id.slice(0, dash)
    return (
      dash > 0 &&
      epochPart !== epoch &&
      EPOCH_PATTERN.test(epochPart) &&
      SEQ_PATTERN.test(id.slice(dash + 1))
    )
  }

  /** The newest `limit` retained entries of `ring`, oldest first. */
  const newestOf = (ring: Ring, limit: number): LogEntry[] => {
    const entries: LogEntry[] = []
    const from = Math.max(firstRetained(ring), ring.last - Math.max(0, limit) + 1)
    for (let seq = from; seq <= ring.last; seq++) {
      const entry = entryAt(ring, seq)
      if (entry !== undefined) entries.push(entry)
    }
    return entries
  }

  /** Stores `key` for the entry at `seq`, forgetting the key of the entry it evicts. */
  const remember = (ring: Ring, seq: number, key: string | undefined) => {
    if (key === undefined && ring.keys === undefined) return
    ring.keys ??= new Map()
    ring.slotKeys ??= []
    const { keys, slotKeys } = ring
    const slot = (seq - 1) % capacity
    const evicted = slotKeys[slot]
    if (evicted !== undefined && keys.get(evicted) === seq - capacity) keys.delete(evicted)
    slotKeys[slot] = key
    if (key !== undefined) keys.set(key, seq)
  }

  return {
    async append(stream: string, event: NewEvent, options?: PublishOptions): Promise<LogEntry> {
      const ring = ringOf(stream)
      const key = options?.key
      const stored = key === undefined ? undefined : ring.keys?.get(key)
      // A key is remembered as long as its entry is retained: a retry stores nothing.
      if (stored !== undefined && stored >= firstRetained(ring)) return entryAt(ring, stored)!
      const seq = ring.last + 1
      const entry: LogEntry = { id: prefix + seq, type: event.type ?? 'message', data: event.data }
      remember(ring, seq, key)
      ring.slots[(seq - 1) % capacity] = entry
      ring.last = seq
      // Delivered before append resolves: the log contract's "no later than a read".
      for (const listener of ring.listeners) listener(entry)
      return entry
    },

    async readAfter(stream: string, id: string, limit: number): Promise<ReadResult> {
      const ring = peek(stream)
      // Every entry of this log came after a restart lost the other one's history.
      if (ofAnotherEpoch(id))
        return { kind: 'lost', entries: newestOf(ring, limit), head: prefix + ring.last }
      const seq = seqOf(id)
      // Too old (evicted), from the future or malformed: the log cannot place it.
      if (seq === undefined || seq > ring.last || seq < firstRetained(ring) - 1)
        return { kind: 'unknown' }
      const end = Math.min(ring.last, seq + Math.max(0, limit))
      const entries: LogEntry[] = []
      for (let next = seq + 1; next <= end; next++) {
        const entry = entryAt(ring, next)
        if (entry !== undefined) entries.push(entry)
      }
      return { kind: 'entries', entries }
    },

    async readNewest(stream: string, limit: number): Promise<NewestEntries> {
      const ring = peek(stream)
      return { entries: newestOf(ring, limit), head: prefix + ring.last }
    },

    async oldest(stream: string): Promise<string | undefined> {
      const ring = peek(stream)
      return ring.last === 0 ? undefined : prefix + firstRetained(ring)
    },

    async newest(stream: string): Promise<string> {
      return prefix + peek(stream).last
    },

    subscribe(stream: string, listener: (entry: LogEntry) => void) {
      const ring = ringOf(stream)
      // A wrapper per call, so subscribing the same function twice gives two subscriptions.
      const wrapped = (entry: LogEntry) => listener(entry)
      ring.listeners.add(wrapped)
      return () => {
        ring.listeners.delete(wrapped)
        if (ring.listeners.size === 0 && ring.last === 0) rings.delete(stream)
      }
    },
  }
}
