import { LifelineError } from '@lifeline/core'

/**
 * A request body the adapter can send again on every reconnect. A `ReadableStream` is left
 * out on purpose: it can be read only once, so the second attempt would have no body.
 */
export type SseFetchBody = Exclude<BodyInit, ReadableStream>

/**
 * Options of {@link sseFetch}. All are optional; the client's request supplies the rest.
 *
 * @example
 * ```ts
 * sseFetch({
 *   url: 'https://api.example.com/v1/chat/stream', // overrides the client's url
 *   method: 'POST',                                 // LLM-style POST streams
 *   body: JSON.stringify({ prompt: 'hi' }),
 *   headers: { 'content-type': 'application/json' },
 *   credentials: 'include',                         // send cookies cross-origin
 *   maxMessageBytes: 64 * 1024,                     // lower than the client's limit
 * })
 * ```
 */
export interface SseFetchOptions {
  /** Endpoint for this transport, overriding the client's `url`. http(s), no credentials. */
  url?: string | URL
  /** The `fetch` to use (tests, proxies, polyfills). Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch
  /** HTTP method; defaults to `GET`. */
  method?: string
  /** Request body, sent on every attempt; not allowed with `GET` or `HEAD`. */
  body?: SseFetchBody
  /** Fetch's credentials mode; the default is fetch's own (`same-origin`). */
  credentials?: RequestCredentials
  /** Extra headers on every request; the client's `headers` win over these. */
  headers?: HeadersInit
  /** Lowers the client's `maxMessageBytes` for this transport; never raises it. */
  maxMessageBytes?: number
}

/** {@link SseFetchOptions} checked once, with defaults filled in. */
export interface ResolvedSseFetchOptions {
  url: URL | undefined
  fetch: typeof globalThis.fetch | undefined
  method: string
  body: SseFetchBody | undefined
  credentials: RequestCredentials | undefined
  headers: Headers
  maxMessageBytes: number
}

const CREDENTIALS: readonly string[] = ['omit', 'same-origin', 'include']
// RFC 9110 token: what fetch accepts as a method name.
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function invalid(message: string, cause?: unknown): LifelineError {
  return new LifelineError('invalid-option', `sseFetch: ${message}`, { cause })
}

function resolveUrl(url: string | URL): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (error) {
    throw invalid(`url must be an absolute URL, got ${String(url)}`, error)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw invalid(`url must be http: or https:, got ${parsed.protocol}`)
  // Credentials in a URL leak into logs and history; fetch also refuses them.
  if (parsed.username !== '' || parsed.password !== '')
    throw invalid('url must not carry credentials; send them in headers')
  return parsed
}

function resolveHeaders(headers: HeadersInit | undefined): Headers {
  try {
    return new Headers(headers)
  } catch (error) {
    throw invalid('headers are not valid HTTP headers', error)
  }
}

/**
 * Checks options once, when the transport is created, so a mistake fails at start-up
 * with a `LifelineError` of code `invalid-option` instead of on every reconnect.
 */
export function resolveOptions(options: SseFetchOptions = {}): ResolvedSseFetchOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object')
  if (options.fetch !== undefined && typeof options.fetch !== 'function')
    throw invalid('fetch must be a function')
  const method = options.method ?? 'GET'
  if (typeof method !== 'string' || !METHOD_TOKEN.test(method))
    throw invalid(`method must be an HTTP method name, got ${String(method)}`)
  const upper = method.toUpperCase()
  if (options.body !== undefined && (upper === 'GET' || upper === 'HEAD'))
    throw invalid(`a body cannot be sent with ${upper}`)
  if (typeof ReadableStream !== 'undefined' && options.body instanceof ReadableStream)
    throw invalid('body cannot be a ReadableStream: it could not be sent again on reconnect')
  if (options.credentials !== undefined && !CREDENTIALS.includes(options.credentials))
    throw invalid(`credentials must be one of ${CREDENTIALS.join(', ')}`)
  const max = options.maxMessageBytes
  if (max !== undefined && !(Number.isSafeInteger(max) && max > 0))
    throw invalid(`maxMessageBytes must be a positive integer, got ${String(max)}`)
  return {
    url: options.url === undefined ? undefined : resolveUrl(options.url),
    fetch: options.fetch,
    method,
    body: options.body,
    credentials: options.credentials,
    headers: resolveHeaders(options.headers),
    maxMessageBytes: max ?? Number.POSITIVE_INFINITY,
  }
}
