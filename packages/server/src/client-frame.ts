import type { RawData } from 'ws'

/** What a client may send: the hello first, then pings. */
export type ClientFrame =
  | { type: 'hello'; lastEventId: string | undefined; fromStart: boolean }
  | { type: 'ping' }

/** Stands for a resume point that is not an id at all; no log can place it, so: reset. */
export const MALFORMED_RESUME_POINT = '\n'

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString()
  return data instanceof ArrayBuffer ? Buffer.from(data).toString() : data.toString()
}

/** An own property of a parsed object: never one of a (polluted) prototype. */
function own(value: object, key: string): unknown {
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
}

/**
 * Reads one client frame: `{"type":"hello","lastEventId":…,"from":"start"}` (both fields
 * optional) or `{"type":"ping"}`; anything
 * else (binary, not JSON, not an object, another type) is undefined. It never throws.
 */
export function parseClientFrame(data: RawData, isBinary: boolean): ClientFrame | undefined {
  if (isBinary) return undefined
  let value: unknown
  try {
    value = JSON.parse(textOf(data))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const type = own(value, 'type')
  if (type === 'ping') return { type: 'ping' }
  if (type !== 'hello') return undefined
  const id = own(value, 'lastEventId')
  // [design] lastEventId absent (or null): connect fresh. A whole number is taken as its
  // decimal string only while a double holds it exactly (and not -0): a rounded one would be
  // an id the client never sent. Any other value is a malformed resume point: reset, as on SSE.
  const exact = typeof id === 'number' && Number.isSafeInteger(id) && (id > 0 || Object.is(id, 0))
  const lastEventId =
    typeof id === 'string'
      ? id
      : exact
        ? String(id)
        : id === undefined || id === null
          ? undefined
          : MALFORMED_RESUME_POINT
  return { type: 'hello', lastEventId, fromStart: own(value, 'from') === 'start' }
}
