import { LifelineError } from '../errors'

// Option checks for factories: `createClient` and every shipped adapter use them, so a bad
// option fails at creation with the same kind of error everywhere: a `LifelineError` of
// code `invalid-option` whose message starts with the factory's name. Separate functions,
// so a bundle holds only the checks it uses.

/**
 * The `LifelineError` of code `invalid-option` for a bad option of the factory `owner`.
 *
 * @example
 * ```ts
 * throw invalidOption('ticker', 'interval must be a number')
 * ```
 */
export function invalidOption(owner: string, message: string, cause?: unknown): LifelineError {
  return new LifelineError('invalid-option', `${owner}: ${message}`, { cause })
}

/**
 * Throws {@link invalidOption} with `message` unless `condition` holds.
 *
 * @example
 * ```ts
 * ensureOption('ticker', typeof options.onTick === 'function', 'onTick must be a function')
 * ```
 */
export function ensureOption(owner: string, condition: unknown, message: string): void {
  if (!condition) throw invalidOption(owner, message)
}

/**
 * A positive safe integer, or `undefined` when the option is absent; anything else throws.
 *
 * @example
 * ```ts
 * const interval = countOption('ticker', 'interval', options.interval) ?? 1_000
 * ```
 */
export function countOption(owner: string, name: string, value: unknown): number | undefined {
  ensureOption(
    owner,
    value === undefined || (Number.isSafeInteger(value) && (value as number) > 0),
    `${name} must be a positive integer, got ${String(value)}`,
  )
  return value as number | undefined
}

/**
 * An http(s) URL without credentials, a relative one resolved against `base`; `undefined`
 * when the option is absent; anything else throws.
 *
 * @example
 * ```ts
 * const url = urlOption('ticker', 'url', options.url, globalThis.location?.href)
 * ```
 */
export function urlOption(
  owner: string,
  name: string,
  value: unknown,
  base?: string | URL,
): URL | undefined {
  if (value === undefined) return undefined
  let url: URL
  try {
    url = new URL(String(value), base)
  } catch (cause) {
    throw invalidOption(owner, `${name} is not a valid URL: ${String(value)}`, cause)
  }
  ensureOption(
    owner,
    /^https?:$/.test(url.protocol),
    `${name} must be http(s), got ${url.protocol}`,
  )
  // Credentials in a URL leak into logs and history; fetch refuses them too.
  ensureOption(
    owner,
    url.username === '' && url.password === '',
    `${name} must not carry credentials`,
  )
  return url
}

/**
 * A request method (an HTTP token; default `GET`) that may carry `body`; anything else
 * throws.
 *
 * @example
 * ```ts
 * const method = methodOption('ticker', options.method, options.body)
 * ```
 */
export function methodOption(owner: string, value: unknown, body: unknown): string {
  const method = value ?? 'GET'
  // RFC 9110 token: what fetch and XMLHttpRequest accept as a method name.
  ensureOption(
    owner,
    typeof method === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method),
    `method must be an HTTP method name, got ${String(method)}`,
  )
  const upper = (method as string).toUpperCase()
  ensureOption(
    owner,
    body === undefined || (upper !== 'GET' && upper !== 'HEAD'),
    `a body cannot be sent with ${upper}`,
  )
  return method as string
}

/** What {@link fetchOptions} checks: the options every `fetch`-based transport takes. */
export interface FetchOptions {
  fetch?: typeof globalThis.fetch | undefined
  credentials?: RequestCredentials | undefined
  headers?: HeadersInit | undefined
}

const CREDENTIALS: readonly unknown[] = ['omit', 'same-origin', 'include']

/**
 * The `fetch`, `credentials` and `headers` options of a `fetch`-based transport, checked:
 * a function, one of fetch's credentials modes, headers `Headers` accepts (as a `Headers`);
 * anything else throws.
 *
 * @example
 * ```ts
 * const { fetch, credentials, headers } = fetchOptions('ticker', options)
 * ```
 */
export function fetchOptions(
  owner: string,
  options: FetchOptions,
): {
  fetch: typeof globalThis.fetch | undefined
  credentials: RequestCredentials | undefined
  headers: Headers
} {
  ensureOption(
    owner,
    options.fetch === undefined || typeof options.fetch === 'function',
    'fetch must be a function',
  )
  ensureOption(
    owner,
    options.credentials === undefined || CREDENTIALS.includes(options.credentials),
    `credentials must be one of ${CREDENTIALS.join(', ')}`,
  )
  let headers: Headers
  try {
    headers = new Headers(options.headers)
  } catch (cause) {
    throw invalidOption(owner, 'headers are not valid HTTP headers', cause)
  }
  return { fetch: options.fetch, credentials: options.credentials, headers }
}
