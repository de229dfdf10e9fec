const utf8 = new TextEncoder()

/**
 * The `Last-Event-ID` header value that resumes from `lastEventId`, or `undefined` when
 * there is none to send. [spec] "set (`Last-Event-ID`, last event ID string, encoded as
 * UTF-8)": a header value is a byte string, so a non-ASCII id goes out as the chars of its
 * UTF-8 bytes, one char per byte; an ASCII id, the common case, as it is.
 *
 * @example
 * ```ts
 * const value = lastEventIdHeader(request.lastEventId)
 * if (value !== undefined) headers.set('last-event-id', value)
 * ```
 */
export function lastEventIdHeader(lastEventId: string | undefined): string | undefined {
  // [spec] "If ... last event ID string is not the empty string".
  if (lastEventId === undefined || lastEventId === '') return undefined
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (/^[\x00-\x7f]*$/.test(lastEventId)) return lastEventId
  // One char per byte, in a loop: spreading a long id's bytes into one call's arguments
  // overflows the stack.
  let value = ''
  for (const byte of utf8.encode(lastEventId)) value += String.fromCharCode(byte)
  return value
}
