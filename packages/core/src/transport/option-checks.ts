import { LifelineError } from '../errors'

/**
 * Checks for the options of a factory, each throwing a `LifelineError` of code
 * `invalid-option` whose message starts with the factory's name. Shared by `createClient`
 * and every shipped adapter, so a mistake reads the same everywhere.
 */
export interface OptionChecks {
  /** A `LifelineError` of code `invalid-option` for this factory. */
  invalid(message: string, cause?: unknown): LifelineError
  /** Throws unless `condition` holds. */
  ensure(condition: unknown, message: string): void
  /** A positive safe integer, or `undefined` when the option is absent. */
  count(name: string, value: unknown): number | undefined
  /** An http(s) URL, relative ones resolved against `base`; `undefined` when absent. */
  httpUrl(name: string, value: unknown, base?: string | URL): URL | undefined
  /** A request method (an HTTP token) that may carry `body`; default `GET`. */
  method(value: unknown, body: unknown): string
}

/**
 * The {@link OptionChecks} of the factory `owner`.
 *
 * @example
 * ```ts
 * const check = optionChecks('ticker')
 * const interval = check.count('interval', options.interval) ?? 1_000
 * ```
 */
export function optionChecks(owner: string): OptionChecks {
  const invalid = (message: string, cause?: unknown) =>
    new LifelineError('invalid-option', `${owner}: ${message}`, { cause })
  const ensure = (condition: unknown, message: string) => {
    if (!condition) throw invalid(message)
  }
  return {
    invalid,
    ensure,
    count(name, value) {
      ensure(
        value === undefined || (Number.isSafeInteger(value) && (value as number) > 0),
        `${name} must be a positive integer, got ${String(value)}`,
      )
      return value as number | undefined
    },
    httpUrl(name, value, base) {
      if (value === undefined) return undefined
      let url: URL
      try {
        url = new URL(String(value), base)
      } catch (cause) {
        throw invalid(`${name} is not a valid URL: ${String(value)}`, cause)
      }
      ensure(/^https?:$/.test(url.protocol), `${name} must be http(s), got ${url.protocol}`)
      // Credentials in a URL leak into logs and history; fetch refuses them too.
      ensure(url.username === '' && url.password === '', `${name} must not carry credentials`)
      return url
    },
    method(value = 'GET', body) {
      // RFC 9110 token: what fetch and XMLHttpRequest accept as a method name.
      ensure(
        typeof value === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value),
        `method must be an HTTP method name, got ${String(value)}`,
      )
      const upper = (value as string).toUpperCase()
      ensure(
        body === undefined || (upper !== 'GET' && upper !== 'HEAD'),
        `a body cannot be sent with ${upper}`,
      )
      return value as string
    },
  }
}
