import type { IncomingMessage } from 'node:http'

/**
 * Origins allowed to open a WebSocket besides the default ones: exact origins
 * (`'https://app.example.com'`) or a predicate.
 *
 * @example
 * ```ts
 * createHub({ origins: (origin) => origin.endsWith('.example.com') })
 * ```
 */
export type OriginOption = readonly string[] | ((origin: string, req: IncomingMessage) => boolean)

const DEFAULT_PORTS: Record<string, string> = {
  'http:': '80',
  'https:': '443',
  'ws:': '80',
  'wss:': '443',
}

/**
 * Whether `origin` names the same host and port as the request's `Host` header. The scheme
 * is not compared: TLS may end at a proxy in front of this server.
 */
export function isSameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false
  let from: URL
  let to: URL
  try {
    from = new URL(origin)
    to = new URL(`http://${host}`)
  } catch {
    return false
  }
  const defaultPort = DEFAULT_PORTS[from.protocol]
  if (defaultPort === undefined) return false
  // A Host without a port means the default port of whichever scheme the client used.
  const hostPort = /:(\d+)$/.exec(host)?.[1] ?? defaultPort
  return from.hostname === to.hostname && (from.port || defaultPort) === hostPort
}

/**
 * The WebSocket Origin rule: no `Origin` (not a browser) or the same host is accepted;
 * anything else only through the `origins` option.
 */
export function isOriginAllowed(req: IncomingMessage, origins: OriginOption | undefined): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return true
  if (isSameHost(origin, req.headers.host)) return true
  if (origins === undefined) return false
  return typeof origins === 'function' ? origins(origin, req) : origins.includes(origin)
}
