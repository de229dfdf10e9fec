import { countOption, ensureOption, methodOption, urlOption } from '@lifeline/core'

/**
 * The part of `XMLHttpRequest` the adapter uses, so React Native's implementation or a
 * test double fits without the full DOM type.
 */
export interface XMLHttpRequestLike {
  readonly readyState: number
  readonly status: number
  readonly responseText: string
  withCredentials: boolean
  onreadystatechange: ((this: never, ev: never) => unknown) | null
  onprogress: ((this: never, ev: never) => unknown) | null
  onerror: ((this: never, ev: never) => unknown) | null
  ontimeout: ((this: never, ev: never) => unknown) | null
  open(method: string, url: string, async: boolean): void
  setRequestHeader(name: string, value: string): void
  getResponseHeader(name: string): string | null
  overrideMimeType?: (mime: string) => void
  send(body?: XMLHttpRequestBodyInit | null): void
  abort(): void
}

/** A constructor of {@link XMLHttpRequestLike}: the global one, React Native's, or a fake. */
export type XMLHttpRequestConstructor = new () => XMLHttpRequestLike

/**
 * Options of {@link sseXhr}. All are optional.
 *
 * @example
 * ```ts
 * sseXhr({
 *   url: 'https://api.example.com/events',
 *   withCredentials: true,
 *   maxResponseBytes: 1_048_576,
 * })
 * ```
 */
export interface SseXhrOptions {
  /** The endpoint, overriding the client's `url`. Relative URLs resolve against the page. */
  url?: string | URL
  /**
   * Recycle the request once `responseText` grows past this many characters (UTF-16 code
   * units; bytes for an ASCII stream). The request ends at an event boundary and the client
   * resumes from there, so memory stays flat on an endless stream. Default 4 MiB.
   */
  maxResponseBytes?: number
  /** Lowers the client's `maxMessageBytes` for this transport. */
  maxMessageBytes?: number
  /** Send cookies and HTTP auth on a cross-origin request. Default `false`. */
  withCredentials?: boolean
  /** The request method. Default `'GET'`; a `body` needs another one, such as `'POST'`. */
  method?: string
  /** The request body, for a method other than `GET` or `HEAD`. */
  body?: XMLHttpRequestBodyInit
  /** The `XMLHttpRequest` constructor (React Native, tests). Default: the global one. */
  XMLHttpRequest?: XMLHttpRequestConstructor
}

/** {@link SseXhrOptions} after defaults and checks. */
export interface ResolvedSseXhrOptions {
  url: URL | undefined
  maxResponseBytes: number
  maxMessageBytes: number
  withCredentials: boolean
  method: string
  body: XMLHttpRequestBodyInit | undefined
  XMLHttpRequest: XMLHttpRequestConstructor | undefined
}

/** 4 MiB: large enough that recycling is rare, small enough to keep a webview's heap flat. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024

const OWNER = 'sseXhr'
const ensure = (condition: unknown, message: string) => ensureOption(OWNER, condition, message)

/** Applies defaults and throws a `LifelineError` with code `'invalid-option'` on a bad option. */
export function resolveOptions(options: SseXhrOptions): ResolvedSseXhrOptions {
  const { withCredentials = false, XMLHttpRequest } = options
  ensure(typeof withCredentials === 'boolean', 'withCredentials must be a boolean')
  ensure(
    XMLHttpRequest === undefined || typeof XMLHttpRequest === 'function',
    'XMLHttpRequest must be a constructor',
  )
  return {
    url: urlOption(OWNER, 'url', options.url, globalThis.location?.href),
    maxResponseBytes:
      countOption(OWNER, 'maxResponseBytes', options.maxResponseBytes) ??
      DEFAULT_MAX_RESPONSE_BYTES,
    maxMessageBytes:
      countOption(OWNER, 'maxMessageBytes', options.maxMessageBytes) ?? Number.POSITIVE_INFINITY,
    withCredentials,
    method: methodOption(OWNER, options.method, options.body),
    body: options.body,
    XMLHttpRequest,
  }
}
