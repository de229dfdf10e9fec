/**
 * Where the body of one HTTP/1.1 response ends, from its head (RFC 9112 §6.3): none for 1xx,
 * 204 and 304, `Content-Length` bytes, or chunked framing up to the last chunk and its
 * trailers. `undefined` when only the end of the connection ends it (no length given, or an
 * upgrade): then a buffering proxy holds the body until the upstream closes.
 */
export function bodyScannerFor(head: string): ResponseBodyScanner | undefined {
  const [statusLine = '', ...fields] = head.split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1])
  if (status === 101 || Number.isNaN(status)) return undefined
  if ((status >= 100 && status < 200) || status === 204 || status === 304)
    return new ResponseBodyScanner({ kind: 'length', bytes: 0 })
  const field = (name: string) =>
    fields
      .filter((line) => line.toLowerCase().startsWith(`${name}:`))
      .map((line) =>
        line
          .slice(name.length + 1)
          .trim()
          .toLowerCase(),
      )
      .join(', ')
  if (/(^|,)\s*chunked\s*$/.test(field('transfer-encoding')))
    return new ResponseBodyScanner({ kind: 'chunked' })
  const length = field('content-length')
  if (/^\d+$/.test(length))
    return new ResponseBodyScanner({ kind: 'length', bytes: Number(length) })
  return undefined
}

type Framing = { kind: 'length'; bytes: number } | { kind: 'chunked' }

const LF = 0x0a
const CR = 0x0d

/**
 * Follows a response body across chunks; `push` returns the offset just past the body's
 * end in that chunk, or `undefined` while the body goes on.
 */
export class ResponseBodyScanner {
  /** `size`: a chunk-size line; `data`: chunk bytes; `data-end`: the CRLF after them; `trailer`: trailer lines. */
  #state: 'length' | 'size' | 'data' | 'data-end' | 'trailer' | 'done'
  #left: number
  #size = 0
  #lineBytes = 0

  constructor(framing: Framing) {
    this.#state = framing.kind === 'length' ? 'length' : 'size'
    this.#left = framing.kind === 'length' ? framing.bytes : 0
  }

  /** Whether the body is complete (a zero-length body is complete at once). */
  get done(): boolean {
    return this.#state === 'done' || (this.#state === 'length' && this.#left === 0)
  }

  /** Feeds the next bytes of the body. */
  push(chunk: Buffer): number | undefined {
    if (this.done) return 0
    let i = 0
    while (i < chunk.length) {
      switch (this.#state) {
        case 'length':
        case 'data': {
          const take = Math.min(this.#left, chunk.length - i)
          i += take
          this.#left -= take
          if (this.#left > 0) break
          if (this.#state === 'length') {
            this.#state = 'done'
            return i
          }
          this.#state = 'data-end'
          this.#lineBytes = 0
          break
        }
        case 'size': {
          const byte = chunk[i++] as number
          if (byte === LF) {
            this.#state = this.#size === 0 ? 'trailer' : 'data'
            this.#left = this.#size
            this.#size = 0
            this.#lineBytes = 0
          } else if (this.#lineBytes >= 0) {
            // Hex digits until an extension (`;`) or the CR: the rest of the line is ignored.
            const digit = Number.parseInt(String.fromCharCode(byte), 16)
            if (Number.isNaN(digit)) this.#lineBytes = -1
            else this.#size = this.#size * 16 + digit
          }
          break
        }
        case 'data-end':
          if ((chunk[i++] as number) === LF) this.#state = 'size'
          break
        case 'trailer': {
          const byte = chunk[i++] as number
          if (byte === LF) {
            if (this.#lineBytes === 0) {
              this.#state = 'done'
              return i
            }
            this.#lineBytes = 0
          } else if (byte !== CR) this.#lineBytes++
          break
        }
        case 'done':
          return i
      }
    }
    return undefined
  }
}
