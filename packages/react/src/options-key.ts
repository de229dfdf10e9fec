import type { ClientOptions } from '@lifeline/core'

/** The options of `useEventStream`: those of `createClient`, which the hook connects itself. */
export type EventStreamOptions = Omit<ClientOptions, 'connect'>

const identities = new WeakMap<object, string>()
let nextIdentity = 0

/** A stable name for an object compared by identity: the same object, the same name. */
function identity(value: object): string {
  let name = identities.get(value)
  if (name === undefined) {
    name = `#${++nextIdentity}`
    identities.set(value, name)
  }
  return name
}

const isPlain = (value: object) => {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null || Array.isArray(value)
}

/** Plain data by value (keys in order), functions and class instances by identity. */
function byValue(value: unknown): unknown {
  if (typeof value === 'function') return identity(value)
  if (value === null || typeof value !== 'object') return value
  if (!isPlain(value)) return identity(value)
  if (Array.isArray(value)) return value.map(byValue)
  const record = value as Record<string, unknown>
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, byValue(record[key])]),
  )
}

/** A function is one slot (the hook calls the latest one); a value compares by its entries. */
function headersKey(headers: EventStreamOptions['headers']): unknown {
  if (headers === undefined || typeof headers === 'function') return typeof headers
  try {
    return [...new Headers(headers)]
  } catch {
    // Headers the client will refuse: compared as they are, and createClient says why.
    return byValue(headers)
  }
}

/**
 * What decides whether `useEventStream` needs a new client: the options by value, the
 * transports by name, the `headers` function as one slot. A re-render that writes the same
 * options inline (`transports: [sseFetch()]`, `strategy: { … }`) gives the same key.
 */
export function optionsKey(options: EventStreamOptions): string {
  const { url, transports, headers, ...rest } = options
  return JSON.stringify([
    String(url),
    Array.isArray(transports)
      ? transports.map((transport) => transport?.name)
      : byValue(transports),
    headersKey(headers),
    byValue(rest),
  ])
}
