/** The longest id (in bytes) the server accepts or issues; longer resume points get `reset`. */
export const MAX_ID_BYTES = 64

// A native EventSource echoes the id back as the Last-Event-ID header (and users put it in
// a query string): a short token charset is safe in both without escaping.
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/

/**
 * Whether `id` is a well-formed event id: 1 to 64 characters of `[A-Za-z0-9._:-]`. The
 * charset is ASCII, so characters are bytes.
 *
 * @example
 * ```ts
 * isEventId('m1k2x9-42') // true
 * isEventId('a b') // false
 * ```
 */
export function isEventId(id: string): boolean {
  return ID_PATTERN.test(id)
}
