import { countOption, ensureOption, fetchOptions, methodOption, urlOption } from '@lifeline/core'

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
  /** Endpoint for this transport, overriding the client's `url`. http(s), no credentials; in a page it may be relative. */
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

const OWNER = 'sseFetch'
const ensure = (condition: unknown, message: string) => ensureOption(OWNER, condition, message)

/**
 * Checks options once, when the transport is created, so a mistake fails at start-up
 * with a `LifelineError` of code `invalid-option` instead of on every reconnect.
 */
export function resolveOptions(options: SseFetchOptions = {}): ResolvedSseFetchOptions {
  ensure(typeof options === 'object' && options !== null, 'options must be an object')
  ensure(
    typeof ReadableStream === 'undefined' || !(options.body instanceof ReadableStream),
    'body cannot be a ReadableStream: it could not be sent again on reconnect',
  )
  return {
    url: urlOption(OWNER, 'url', options.url, globalThis.location?.href),
    ...fetchOptions(OWNER, options),
    method: methodOption(OWNER, options.method, options.body),
    body: options.body,
    maxMessageBytes:
      countOption(OWNER, 'maxMessageBytes', options.maxMessageBytes) ?? Number.POSITIVE_INFINITY,
  }
}
