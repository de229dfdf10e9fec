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

/**
 * The response headers of one long-poll: a complete answer, never to be stored, since the
 * same poll URL asked again later must reach the hub (DESIGN: long-poll wire).
 */
const POLL_HEADERS: Readonly<Record<string, string>> = {
  ...SSE_HEADERS,
  'cache-control': 'no-store',
}

const ALLOW = { allow: 'GET, OPTIONS' }

/** A poll's `hold`: a whole number of ms from 1, without sign, fraction or exponent. */
const HOLD = /^[1-9][0-9]*$/

const encoder = new TextEncoder()
const BAD_HOLD = encoder.encode('hold must be a whole number of milliseconds from 1\n')

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
      /** Set for a long-poll: ms to hold it while there is nothing to send. */
      hold: number | undefined
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
 * The hold of a request that is a long-poll (query `transport=long-poll`), capped by
 * `pollTimeout` (which is also the hold of a poll that names none); `undefined` for an SSE
 * request, `'invalid'` for a hold that is no whole number of ms. Any digits are capped, so
 * a huge hold is the cap, not an overflow.
 */
function holdOf(query: URLSearchParams, pollTimeout: number): number | 'invalid' | undefined {
  if (query.get('transport') !== 'long-poll') return undefined
  const hold = query.get('hold')
  if (hold === null) return pollTimeout
  return HOLD.test(hold) ? Math.min(pollTimeout, Number(hold)) : 'invalid'
}

/**
 * Decides what an SSE request or a long-poll gets, the same way for `hub.sse` and
 * `hub.fetch`: 403 for a host not allowed, a preflight answer, 405, 400 for a poll's bad
 * `hold`, the farewell after `close()`, 429 or 503 past the limits, or the stream.
 */
export function admitSse(context: PipeContext, arrival: SseArrival): SseAdmission {
  const { options } = context
  const origin = arrival.origin
  if (!isHostAllowed(arrival.host, options.allowedHosts)) return answer(403)
  if (arrival.method === 'OPTIONS')
    return answer(204, { ...preflightHeaders(options.cors, origin), ...ALLOW })
  if (arrival.method !== 'GET') return answer(405, { ...ALLOW })
  const query = queryOf(arrival.target)
  const hold = holdOf(query, options.pollTimeout)
  const cors = corsHeaders(options.cors, origin)
  // A client bug, not a resume point to reset: say so, readable from another origin too.
  if (hold === 'invalid')
    return answer(400, { 'content-type': 'text/plain; charset=utf-8', ...cors }, BAD_HOLD)
  const headers = { ...(hold === undefined ? SSE_HEADERS : POLL_HEADERS), ...cors }
  if (context.farewell !== undefined)
    // Not a 503: a native EventSource treats that as final and never comes back.
    return answer(200, headers, farewellBody(options.retry, context.farewell.chunk))
  const place = context.claim(arrival.address)
  if (place === 'address-full') return answer(429, retryAfter(options.retry))
  if (place === 'hub-full') return answer(503, retryAfter(options.retry))
  // Native EventSource cannot set headers on its first request, and a poll sends none so
  // that it needs no preflight: `?lastEventId=` stands in.
  const resumePoint = arrival.lastEventId ?? query.get('lastEventId') ?? undefined
  const start = { resumePoint, fromStart: query.get('from') === 'start' }
  return { kind: 'stream', headers, start, place, hold }
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
