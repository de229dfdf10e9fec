import type { IncomingMessage } from 'node:http'
import { isHostAllowed } from './allowed-hosts'
import type { Start } from './channel'
import { clientAddress } from './client-address'
import type { Place } from './connection-limits'
import { corsHeaders, preflightHeaders } from './cors'
import type { ResolvedHubOptions } from './options'
import { isOriginAllowed } from './origin'
import type { PipeContext } from './pipe-context'
import { farewellBody } from './serialize'
import type { RefusalStatus } from './upgrade-refusal'

/**
 * The response headers of an event stream. [spec] the MIME type is `text/event-stream`;
 * `no-cache` keeps caches from replaying a stream, `x-accel-buffering: no` keeps nginx from
 * buffering it (a proxy that holds bytes back looks like a dead stream to the client).
 */
const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
  // Chromium holds back an XHR response it may sniff until 512 bytes arrive; say the type is final.
  'x-content-type-options': 'nosniff',
}

const ALLOW = { allow: 'GET, OPTIONS' }

/** The `Retry-After` header of a connection turned away for now, in whole seconds. */
export function retryAfter(retryMs: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(retryMs / 1000))) }
}

/** The address a Node request counts under: its peer, or what trusted proxies say. */
export function addressOfNode(
  req: IncomingMessage,
  options: ResolvedHubOptions,
): string | undefined {
  const forwardedFor = req.headers['x-forwarded-for']
  return clientAddress(
    req.socket.remoteAddress,
    Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor,
    options.trustProxy,
  )
}

/** What an SSE entry point knows of a request before it serves it, whatever its runtime. */
export interface SseArrival {
  method: string | undefined
  /** The `Host` header (or the authority of the request's URL). */
  host: string | null | undefined
  origin: string | null | undefined
  /**
   * The `Last-Event-ID` header. A repeated header arrives joined by commas on both entry
   * points (Node and the Fetch `Headers` join them alike), which no id contains: `reset`.
   */
  lastEventId: string | null | undefined
  /** The request target (path and query), as the client sent it. */
  target: string | undefined
  /** The address it counts under for `maxClientsPerAddress`; undefined: uncounted. */
  address: string | undefined
}

/** The hub's answer to an SSE request: a whole response, or the stream and how it starts. */
export type SseAdmission =
  | {
      kind: 'answer'
      status: number
      headers: Record<string, string>
      body: Uint8Array<ArrayBuffer> | undefined
    }
  | {
      kind: 'stream'
      headers: Record<string, string>
      start: Start
      /** The connection's place under the limits, released by its subscriber. */
      place: Place
    }

/** The query of a request target; a target that is no URL (`//`) has none, and throws nothing. */
function queryOf(target: string | undefined): URLSearchParams {
  const start = target?.indexOf('?') ?? -1
  return new URLSearchParams(start === -1 ? '' : target?.slice(start + 1).split('#', 1)[0])
}

const answer = (
  status: number,
  headers: Record<string, string> = {},
  body?: Uint8Array<ArrayBuffer>,
): SseAdmission => ({ kind: 'answer', status, headers, body })

/**
 * Decides what an SSE request gets, the same way for `hub.sse` and `hub.fetch`: 403 for a
 * host not allowed, a preflight answer, 405, the farewell after `close()`, 429 or 503 past
 * the limits, or the stream.
 */
export function admitSse(context: PipeContext, arrival: SseArrival): SseAdmission {
  const { options } = context
  const origin = arrival.origin
  if (!isHostAllowed(arrival.host, options.allowedHosts)) return answer(403)
  if (arrival.method === 'OPTIONS')
    return answer(204, { ...preflightHeaders(options.cors, origin), ...ALLOW })
  if (arrival.method !== 'GET') return answer(405, { ...ALLOW })
  const headers = { ...SSE_HEADERS, ...corsHeaders(options.cors, origin) }
  if (context.farewell !== undefined)
    // Not a 503: a native EventSource treats that as final and never comes back.
    return answer(200, headers, farewellBody(options.retry, context.farewell.chunk))
  const place = context.claim(arrival.address)
  if (place === 'address-full') return answer(429, retryAfter(options.retry))
  if (place === 'hub-full') return answer(503, retryAfter(options.retry))
  const query = queryOf(arrival.target)
  // Native EventSource cannot set headers on its first request: `?lastEventId=` stands in.
  const resumePoint = arrival.lastEventId ?? query.get('lastEventId') ?? undefined
  const start = { resumePoint, fromStart: query.get('from') === 'start' }
  return { kind: 'stream', headers, start, place }
}

/** The hub's answer to a WebSocket upgrade, before any `ws` code runs. */
export type UpgradeAdmission =
  | { kind: 'refuse'; status: RefusalStatus; headers: Record<string, string> }
  | { kind: 'accept'; place: Place }

/**
 * Decides whether an upgrade is served: 403 for a host or an Origin not allowed, 503 after
 * `close()`, 429 or 503 past the limits; else it takes a place for the connection.
 */
export function admitUpgrade(context: PipeContext, req: IncomingMessage): UpgradeAdmission {
  const { options } = context
  const refuse = (status: RefusalStatus, headers = {}): UpgradeAdmission => ({
    kind: 'refuse',
    status,
    headers,
  })
  if (!isHostAllowed(req.headers.host, options.allowedHosts)) return refuse(403)
  if (context.farewell !== undefined) return refuse(503)
  // [design] no Origin (not a browser) or the same host; others only through `origins`.
  if (!isOriginAllowed(req, options.origins)) return refuse(403)
  const place = context.claim(addressOfNode(req, options))
  if (place === 'address-full') return refuse(429, retryAfter(options.retry))
  if (place === 'hub-full') return refuse(503, retryAfter(options.retry))
  return { kind: 'accept', place }
}
