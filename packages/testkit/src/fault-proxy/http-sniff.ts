import { STATUS_CODES } from 'node:http'

/** The head of an HTTP/1.x request as the proxy saw it on the wire. */
export interface SniffedRequest {
  method: string
  /** The request target as sent (path and query). */
  target: string
  /** The path part of the target, without the query. */
  path: string
  httpVersion: string
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Readonly<Record<string, string>>
  /** The request asks for a protocol upgrade (a WebSocket handshake). */
  upgrade: boolean
}

/**
 * Which requests a route rule applies to. Every given condition must hold; `{}` matches
 * every connection, HTTP or not, without waiting for a request.
 *
 * @example
 * ```ts
 * const sseOnly: RouteMatch = { headers: { accept: 'text/event-stream' } }
 * const eventsButNotWebSocket: RouteMatch = { path: '/events', upgrade: false }
 * ```
 */
export interface RouteMatch {
  /** Exact method, e.g. `'GET'`. */
  method?: string
  /** A string matches as a prefix of the path; a RegExp is tested against the path. */
  path?: string | RegExp
  /** A string matches when the header contains it (case-insensitive); a RegExp is tested. */
  headers?: Readonly<Record<string, string | RegExp>>
  /** `true`: only upgrade requests (WebSocket); `false`: only plain requests. */
  upgrade?: boolean
  /** Any further test. */
  where?: (request: SniffedRequest) => boolean
}

/** Whether `match` needs a request head to decide (only `{}` does not). */
export function needsRequest(match: RouteMatch): boolean {
  return (
    match.method !== undefined ||
    match.path !== undefined ||
    match.headers !== undefined ||
    match.upgrade !== undefined ||
    match.where !== undefined
  )
}

/**
 * Whether `request` satisfies `match`. A connection whose first bytes are not HTTP
 * (`request` undefined) matches only `{}`.
 */
export function matchesRoute(match: RouteMatch, request: SniffedRequest | undefined): boolean {
  if (request === undefined) return !needsRequest(match)
  if (match.method !== undefined && match.method !== request.method) return false
  if (typeof match.path === 'string' && !request.path.startsWith(match.path)) return false
  if (match.path instanceof RegExp && !match.path.test(request.path)) return false
  if (match.upgrade !== undefined && match.upgrade !== request.upgrade) return false
  for (const [name, expected] of Object.entries(match.headers ?? {})) {
    const actual = request.headers[name.toLowerCase()]
    if (actual === undefined) return false
    if (typeof expected === 'string') {
      if (!actual.toLowerCase().includes(expected.toLowerCase())) return false
    } else if (!expected.test(actual)) return false
  }
  return match.where === undefined || match.where(request)
}

/** A piece of the client's byte stream; `request` is set on the piece that ends a head. */
export interface SniffedSegment {
  bytes: Buffer
  request?: SniffedRequest
}

const maxHeadBytes = 64 * 1024
const headEnd = Buffer.from('\r\n\r\n')
const requestLine = /^([A-Z]+) (\S+) HTTP\/(1\.[01])$/

/**
 * Follows the client → server bytes of one connection and cuts them into segments at
 * request heads, so route rules can look at every request of a keep-alive connection.
 * Bytes of an unfinished head are held back until the head is complete; anything that is
 * not HTTP/1.x, a chunked body, or the bytes after an upgrade turn the sniffer off and
 * then pass through untouched.
 */
export class RequestSniffer {
  #pending: Buffer = Buffer.alloc(0)
  #bodyLeft = 0
  #opaque = false

  /** Whether the sniffer gave up on this connection (not HTTP, or past a point it can follow). */
  get opaque(): boolean {
    return this.#opaque
  }

  /** Feeds a chunk; returns the segments ready to forward, in order. */
  push(chunk: Buffer): SniffedSegment[] {
    const out: SniffedSegment[] = []
    let rest = chunk
    while (rest.length > 0) {
      if (this.#opaque) {
        out.push({ bytes: rest })
        break
      }
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, rest.length)
        out.push({ bytes: rest.subarray(0, take) })
        this.#bodyLeft -= take
        rest = rest.subarray(take)
        continue
      }
      const head = Buffer.concat([this.#pending, rest])
      if (!looksLikeRequestStart(head)) {
        this.#opaque = true
        this.#pending = Buffer.alloc(0)
        out.push({ bytes: head })
        break
      }
      const end = head.indexOf(headEnd)
      if (end === -1) {
        if (head.length > maxHeadBytes) {
          this.#opaque = true
          this.#pending = Buffer.alloc(0)
          out.push({ bytes: head })
        } else {
          this.#pending = head
        }
        break
      }
      this.#pending = Buffer.alloc(0)
      const request = parseRequestHead(head.subarray(0, end).toString('latin1'))
      if (request === undefined) {
        this.#opaque = true
        out.push({ bytes: head })
        break
      }
      out.push({ bytes: head.subarray(0, end + headEnd.length), request })
      rest = head.subarray(end + headEnd.length)
      const length = Number(request.headers['content-length'] ?? 0)
      if (request.upgrade || request.headers['transfer-encoding'] !== undefined) {
        this.#opaque = true
      } else if (Number.isSafeInteger(length) && length > 0) {
        this.#bodyLeft = length
      }
    }
    return out
  }
}

function looksLikeRequestStart(bytes: Buffer): boolean {
  // An upper-case method token, then a space, is all an HTTP/1.x request can start with.
  for (let i = 0; i < bytes.length && i < 16; i++) {
    const byte = bytes[i] as number
    if (byte === 0x20) return i > 0
    if (byte < 0x41 || byte > 0x5a) return false
  }
  return bytes.length < 16
}

/** Parses a request head (without its final blank line); `undefined` if it is not HTTP/1.x. */
export function parseRequestHead(text: string): SniffedRequest | undefined {
  const [line = '', ...fields] = text.split('\r\n')
  const start = requestLine.exec(line)
  if (start === null) return undefined
  const [, method = '', target = '', httpVersion = ''] = start
  const headers: Record<string, string> = {}
  for (const field of fields) {
    const colon = field.indexOf(':')
    if (colon <= 0) return undefined
    const name = field.slice(0, colon).trim().toLowerCase()
    const value = field.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  const connection = (headers.connection ?? '').toLowerCase()
  const query = target.indexOf('?')
  return {
    method,
    target,
    path: query === -1 ? target : target.slice(0, query),
    httpVersion,
    headers,
    upgrade: headers.upgrade !== undefined && connection.includes('upgrade'),
  }
}

/**
 * Finds where a response head ends in the server → client bytes, across chunk
 * boundaries. `push` returns the offset just past the blank line in that chunk, or
 * `undefined` while the head goes on; then `head` is the head's text (up to 64 KiB).
 */
export class ResponseHeadScanner {
  #tail = Buffer.alloc(0)
  #seen: Buffer[] = []
  #seenBytes = 0
  #head: string | undefined

  /** The complete head (status line and fields, without the blank line), once found. */
  get head(): string | undefined {
    return this.#head
  }

  /** Feeds the next chunk of the response. */
  push(chunk: Buffer): number | undefined {
    const joined = Buffer.concat([this.#tail, chunk])
    const end = joined.indexOf(headEnd)
    if (end === -1) {
      this.#keep(chunk)
      this.#tail = joined.subarray(Math.max(0, joined.length - (headEnd.length - 1)))
      return undefined
    }
    const offset = end + headEnd.length - this.#tail.length
    this.#keep(chunk.subarray(0, offset))
    this.#tail = Buffer.alloc(0)
    const text = Buffer.concat(this.#seen).toString('latin1')
    this.#head = text.slice(0, text.length - headEnd.length)
    this.#seen = []
    return offset
  }

  #keep(bytes: Buffer): void {
    if (this.#seenBytes > maxHeadBytes) return
    this.#seen.push(bytes)
    this.#seenBytes += bytes.length
  }
}

/** The bytes of a complete `Connection: close` response with `status`. */
export function statusResponse(
  status: number,
  body = `${status} ${STATUS_CODES[status] ?? ''}\n`,
  headers: Readonly<Record<string, string>> = {},
): Buffer {
  const payload = Buffer.from(body)
  const fields = {
    'content-type': 'text/plain; charset=utf-8',
    ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    'content-length': String(payload.length),
    connection: 'close',
  }
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`]
  for (const [name, value] of Object.entries(fields)) head.push(`${name}: ${value}`)
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload])
}
