/** A Redis stream entry id: `<ms>-<seq>`, two unsigned 64-bit decimals. */
const ENTRY_ID = /^(0|[1-9][0-9]{0,19})-(0|[1-9][0-9]{0,19})$/
const MAX_U64 = '18446744073709551615'
const EPOCH = /^[0-9a-z]{1,16}$/

/**
 * The position before the first entry of an epoch. Every id Redis assigns with `*` is
 * greater, so `newest` on an empty stream returns `<epoch>:0-1` and it stays resumable.
 */
export const ORIGIN = '0-1'

/** A Lifeline event id taken apart: `<epoch>:<entry>`. */
export interface Position {
  readonly epoch: string
  readonly entry: string
}

/** Compares two unsigned decimals without leading zeros, as numbers. */
function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}

/** Orders two entry ids the way Redis does (ms, then sequence). */
export function compareEntryIds(a: string, b: string): number {
  const dashA = a.indexOf('-')
  const dashB = b.indexOf('-')
  return (
    compareDecimal(a.slice(0, dashA), b.slice(0, dashB)) ||
    compareDecimal(a.slice(dashA + 1), b.slice(dashB + 1))
  )
}

/** Whether `entry` is an id Redis could have issued (over 64 bits makes XRANGE fail). */
function isEntryId(entry: string): boolean {
  const match = ENTRY_ID.exec(entry)
  if (match === null) return false
  return compareDecimal(match[1]!, MAX_U64) <= 0 && compareDecimal(match[2]!, MAX_U64) <= 0
}

/** The event id of `entry` in `epoch`: `[a-z0-9]` epoch, `:`, entry id; at most 58 bytes. */
export function formatId(epoch: string, entry: string): string {
  return `${epoch}:${entry}`
}

/** Takes an event id apart, or `undefined` when no redis log could have issued it. */
export function parseId(id: string): Position | undefined {
  const colon = id.indexOf(':')
  if (colon < 0) return undefined
  const epoch = id.slice(0, colon)
  const entry = id.slice(colon + 1)
  return EPOCH.test(epoch) && isEntryId(entry) ? { epoch, entry } : undefined
}

/** A fresh epoch: 10 random `[0-9a-z]` characters. */
export function newEpoch(): string {
  let epoch = ''
  for (const byte of crypto.getRandomValues(new Uint8Array(10))) epoch += (byte % 36).toString(36)
  return epoch
}
