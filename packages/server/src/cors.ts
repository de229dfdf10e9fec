/**
 * Cross-origin SSE. Without it the hub sends no CORS headers (same-origin only).
 *
 * @example
 * ```ts
 * createHub({ cors: { origins: ['https://app.example.com'], credentials: true } })
 * ```
 */
export interface CorsOptions {
  /**
   * Exact origins allowed to read the stream, or a predicate. Only values shaped like an
   * origin reach it: a `*` never does, nor `null` when `credentials` is on.
   */
  origins: readonly string[] | ((origin: string) => boolean)
  /** Allow cookies and HTTP auth (`Access-Control-Allow-Credentials: true`). */
  credentials?: boolean
}

/** Request headers a client may send cross-origin: the resume point, auth, and a body type. */
// sse-fetch sends cache-control: no-cache (as EventSource does), which is not CORS-safelisted.
const ALLOWED_HEADERS = 'last-event-id, authorization, content-type, cache-control'

/** `scheme://host[:port]`, the way browsers serialise an origin; nothing else is echoed. */
const ORIGIN_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#,*]+$/i

/**
 * Whether `origin` may be echoed at all, before the option is asked: never `*` (echoed, it
 * is the wildcard) and `null` only without credentials, because any page can make itself a
 * `null` origin (a sandboxed frame) and would then read the stream with the user's cookies.
 */
function echoable(cors: CorsOptions, origin: string): boolean {
  if (origin === 'null') return cors.credentials !== true
  return ORIGIN_SHAPE.test(origin)
}

function allows(cors: CorsOptions, origin: string): boolean {
  if (!echoable(cors, origin)) return false
  return typeof cors.origins === 'function' ? cors.origins(origin) : cors.origins.includes(origin)
}

/**
 * The CORS headers of an actual request: the exact origin echoed (never `*`, so credentials
 * stay possible) with `Vary: Origin`; only the `Vary` when the origin is not allowed, is
 * not shaped like an origin, or is `null` with credentials on.
 */
export function corsHeaders(
  cors: CorsOptions | undefined,
  origin: string | null | undefined,
): Record<string, string> {
  if (cors === undefined) return {}
  // The answer depends on the Origin, so a shared cache must key on it either way.
  const headers: Record<string, string> = { vary: 'Origin' }
  if (origin == null || !allows(cors, origin)) return headers
  headers['access-control-allow-origin'] = origin
  if (cors.credentials === true) headers['access-control-allow-credentials'] = 'true'
  return headers
}

/** The headers answering a preflight (`OPTIONS`) from an allowed origin. */
export function preflightHeaders(
  cors: CorsOptions | undefined,
  origin: string | null | undefined,
): Record<string, string> {
  const headers = corsHeaders(cors, origin)
  if (headers['access-control-allow-origin'] === undefined) return headers
  headers['access-control-allow-methods'] = 'GET, OPTIONS'
  headers['access-control-allow-headers'] = ALLOWED_HEADERS
  headers['access-control-max-age'] = '86400'
  return headers
}
