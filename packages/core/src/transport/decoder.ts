import { createParser, type EventSourceParser } from 'eventsource-parser'
import { MAX_DELAY_MS } from '../policy/backoff'
import { exceedsBytes } from './message-size'
import type { TransportSink } from './transport'

/**
 * What the parser may hold beyond `maxMessageBytes`: the field name of the line it is
 * reading (`event: `, `retry: `), so a message of exactly the limit passes however it is cut.
 */
export const FIELD_HEADROOM = 8

/** Where the decoder sends what it parsed: the transport sink, plus a fatal protocol error. */
export interface DecoderTarget extends Pick<TransportSink, 'event' | 'id' | 'retry'> {
  /** The stream broke the protocol (a message over the limit); stop feeding and close. */
  protocolError(message: string): void
}

/**
 * The SSE decoder every adapter shares: bytes or text in, events, ids and retry hints out,
 * with the spec's semantics.
 */
export interface Decoder {
  /** Feeds the next chunk: bytes off a socket, or a WebSocket text frame. */
  feed(chunk: Uint8Array | string): void
  /** Whether a protocol error stopped the decoder; later chunks are ignored. */
  readonly failed: boolean
}

/**
 * Creates a decoder on `eventsource-parser`. One decoder serves one connection.
 *
 * @example
 * ```ts
 * const decoder = createDecoder({ ...sink, protocolError: (message) => fail(message) }, {
 *   maxMessageBytes: request.maxMessageBytes,
 * })
 * decoder.feed(chunk)
 * ```
 */
export function createDecoder(
  target: DecoderTarget,
  options: { maxMessageBytes: number },
): Decoder {
  // [spec] "UTF-8 decode" the stream, stripping one leading BOM: ignoreBOM keeps it in the
  // text so the parser strips it exactly once, even when the BOM is split across chunks.
  // Made on the first bytes: a WebSocket feeds text and never needs one.
  let text: TextDecoder | undefined
  // eventsource-parser calls onId right before onEvent for a block with data; a block
  // with an id and no data only gets onId. Hold the id until we know which it was.
  let heldId: string | undefined
  let failed = false

  const flushHeldId = () => {
    if (heldId !== undefined) {
      const id = heldId
      heldId = undefined
      target.id(id)
    }
  }

  const fail = () => {
    if (failed) return
    failed = true
    heldId = undefined
    target.protocolError(`message exceeds maxMessageBytes (${options.maxMessageBytes})`)
  }

  const parser: EventSourceParser = createParser({
    // The parser holds a block's data so far plus the line it is reading, in UTF-16 units.
    maxBufferSize: options.maxMessageBytes + FIELD_HEADROOM,
    onId(id) {
      // After a failure the parser still finishes the chunk it was given: drop the rest.
      if (failed) return
      flushHeldId()
      heldId = id
    },
    onEvent(message) {
      if (failed) return
      // onId ran just before for this block's own id; without one, a held id belongs to an
      // earlier id-only block and must be reported first.
      if (message.id === undefined) flushHeldId()
      else heldId = undefined
      // The parser dispatches a block that arrived whole without buffering it, so its
      // maxBufferSize (in UTF-16 units) never saw it: check the message itself, in bytes.
      if (exceedsBytes(message.data, options.maxMessageBytes)) {
        fail()
        return
      }
      // [spec] the event type defaults to "message"; the id is this block's own field.
      target.event({ type: message.event ?? 'message', data: message.data, id: message.id })
    },
    onRetry(ms) {
      if (failed) return
      flushHeldId()
      // [spec] retry holds only ASCII digits (the parser enforces it); clamp what a timer can take.
      target.retry(Math.min(ms, MAX_DELAY_MS))
    },
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') fail()
      // [spec] unknown fields and non-digit retry values are ignored.
    },
  })

  return {
    feed(chunk) {
      if (failed) return
      if (typeof chunk === 'string') parser.feed(chunk)
      else {
        text ??= new TextDecoder('utf-8', { ignoreBOM: true })
        parser.feed(text.decode(chunk, { stream: true }))
      }
      flushHeldId()
    },
    get failed() {
      return failed
    },
  }
}
