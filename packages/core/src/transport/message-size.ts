/**
 * Whether `text` takes more than `limit` bytes in UTF-8, without encoding it: messages and
 * frames arrive as strings, and encoding each only to measure it would cost a copy. How
 * `maxMessageBytes` is measured, for transports of your own.
 *
 * @example
 * ```ts
 * if (exceedsBytes(frame, request.maxMessageBytes)) sink.closed({ kind: 'protocol', message: 'too large' })
 * ```
 */
export function exceedsBytes(text: string, limit: number): boolean {
  // A UTF-16 code unit takes 1 to 3 UTF-8 bytes (a surrogate pair: 4 for 2 units), so the
  // length bounds the size from both sides and most frames are decided here.
  if (text.length > limit) return true
  if (text.length * 3 <= limit) return false
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4
      i++
    } else bytes += 3 // a lone surrogate is encoded as U+FFFD, 3 bytes
    if (bytes > limit) return true
  }
  return false
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff
}
