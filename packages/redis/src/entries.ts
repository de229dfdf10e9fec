import type { LogEntry } from '@lifeline/server'
import { formatId } from './entry-id'

/** An entry as Redis returns it from XRANGE or XREAD: `[id, [field, value, ...]]`. */
export type RawEntry = [string, string[]]

/** The named field of a raw entry, or `undefined`. */
export function fieldOf(raw: RawEntry, name: string): string | undefined {
  const fields = raw[1]
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1]
  return undefined
}

/** The log entry a raw entry of `epoch` holds. */
export function toLogEntry(epoch: string, raw: RawEntry): LogEntry {
  return {
    id: formatId(epoch, raw[0]),
    type: fieldOf(raw, 't') ?? 'message',
    data: fieldOf(raw, 'd') ?? '',
  }
}
