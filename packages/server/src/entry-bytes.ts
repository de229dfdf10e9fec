import type { LogEntry } from './log'
import { serializeEntry } from './serialize'

/** Each entry's block, serialised once, and the way back from a block to its entry. */
export interface EntryBytes {
  /** The entry's block: built on first use, then the same bytes for every subscriber. */
  bytesOf(entry: LogEntry): Uint8Array
  /** The entry a block was built for; `undefined` for any other chunk (position, control, retry). */
  entryOf(bytes: Uint8Array): LogEntry | undefined
}

/**
 * Creates the block cache of one hub. Both maps are weak: a block lives as long as its
 * entry does in the log, and costs nothing after.
 */
export function createEntryBytes(): EntryBytes {
  const blocks = new WeakMap<LogEntry, Uint8Array>()
  const entries = new WeakMap<Uint8Array, LogEntry>()
  return {
    bytesOf(entry) {
      let bytes = blocks.get(entry)
      if (bytes === undefined) {
        bytes = serializeEntry(entry)
        blocks.set(entry, bytes)
        entries.set(bytes, entry)
      }
      return bytes
    },
    entryOf: (bytes) => entries.get(bytes),
  }
}
