import { exceedsBytes } from '@lifeline/core'
import type { LogEntry, NewEvent } from './log'

const encoder = new TextEncoder()

// [spec] "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
// character pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE
// RETURN (CR) character": every one of them in the data must start a new data: line.
const LINE_BREAK = /\r\n|\r|\n/

const DATA = 'data: '

/** The `event:` line of an event, or nothing for the default type. */
function typeLine(event: NewEvent): string {
  // [spec] the event type buffer defaults to "message": leaving the field out saves bytes.
  return event.type === undefined || event.type === 'message' ? '' : `event: ${event.type}\n`
}

/**
 * The `event:` and `data:` lines of an event and the blank line that dispatches it, without
 * the `id:` line (the log assigns the id after the size check).
 */
export function eventBody(event: NewEvent): string {
  // [spec] one leading space after the colon is removed, so "data: " keeps a payload that
  // itself starts with a space intact.
  return `${typeLine(event)}${DATA}${event.data.split(LINE_BREAK).join(`\n${DATA}`)}\n\n`
}

/** Bytes the data lines add to `data`: each line break becomes `\ndata: ` (a CRLF, 2 bytes, too). */
function lineBreakGrowth(data: string): number {
  let growth = 0
  for (let i = 0; i < data.length; i++) {
    const unit = data.charCodeAt(i)
    if (unit === 0x0a) growth += DATA.length
    else if (unit === 0x0d) {
      if (data.charCodeAt(i + 1) === 0x0a) {
        growth += DATA.length - 1
        i++
      } else growth += DATA.length
    }
  }
  return growth
}

/**
 * Whether {@link eventBody} of `event` takes more than `limit` UTF-8 bytes, without building
 * it: an oversized event costs no split, no copy and no encoding.
 */
export function blockExceeds(event: NewEvent, limit: number): boolean {
  const head = typeLine(event)
  const framing = DATA.length + 2
  // A UTF-16 unit takes at least one UTF-8 byte: this answers in O(1) for any event whose
  // length alone is over, before a single pass over it.
  if (head.length + event.data.length + framing > limit) return true
  return exceedsBytes(head + event.data, limit - framing - lineBreakGrowth(event.data))
}

/** The full block of a stored event, encoded once and shared by every subscriber. */
export function serializeEntry(entry: LogEntry): Uint8Array {
  return encoder.encode(`id: ${entry.id}\n${eventBody(entry)}`)
}

/**
 * The position block: an `id:` field and a blank line, with no data. [spec] "If the data
 * buffer is an empty string, set the data buffer and the event type buffer to the empty
 * string and return" — nothing is dispatched, yet the last event ID buffer was set.
 */
export function positionBlock(id: string): Uint8Array {
  return encoder.encode(`id: ${id}\n\n`)
}

/** [spec] "If the field value consists of only ASCII digits, then interpret the field value
 * as an integer in base ten, and set the event stream's reconnection time to that integer." */
export function retryBlock(ms: number): Uint8Array {
  return encoder.encode(`retry: ${ms}\n\n`)
}

/**
 * A control event (`close`, `reset`). It always carries a `data:` line, even an empty one:
 * [spec] a block whose data buffer is empty dispatches no event.
 */
export function controlEvent(type: 'close' | 'reset', data: string): Uint8Array {
  return encoder.encode(`event: ${type}\ndata: ${data}\n\n`)
}

/** [spec] "If the line starts with a U+003A COLON character (:) — Ignore the line." */
export function comment(text: string): Uint8Array {
  return encoder.encode(text === '' ? ':\n\n' : `: ${text}\n\n`)
}

/** The whole answer after `close()`, on either pipe: the retry hint, then the close event. */
export function farewellBody(retryMs: number, close: Uint8Array): Uint8Array<ArrayBuffer> {
  const retry = retryBlock(retryMs)
  const body = new Uint8Array(retry.byteLength + close.byteLength)
  body.set(retry, 0)
  body.set(close, retry.byteLength)
  return body
}
