import { corsHeaders, preflightHeaders } from './cors'
import type { PipeContext } from './pipe-context'
import { farewellBody } from './serialize'

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

/** What an SSE entry point knows of a request before it serves it, whatever its runtime. */
export interface SseArrival {
  method: string | undefined
  origin: string | null | undefined
  /**
   * The `Last-Event-ID` header. A repeated header arrives joined by commas on both entry
   * points (Node and the Fetch `Headers` join them alike), which no id contains: `reset`.
   */
  lastEventId: string | null | undefined
  /** The request target (path and query), as the client sent it. */
  target: string | undefined
}

/** The hub's answer to an SSE request: a whole response, or the stream and how it starts. */
export type SseAdmission =
  | {
      kind: 'answer'
      status: number
      headers: Record<string, string>
      body: Uint8Array<ArrayBuffer> | undefined
    }
  | { kind: 'stream'; headers: Record<string, string>; resumePoint: string | undefined }

/** The query of a request target; a target that is no URL (`//`) has none, and throws nothing. */
function queryOf(target: string | undefined): URLSearchParams {
  const start = target?.indexOf('?') ?? -1
  return new URLSearchParams(start === -1 ? '' : target?.slice(start + 1).split('#', 1)[0])
}

/**
 * Decides what an SSE request gets, the same way for `hub.sse` and `hub.fetch`: a preflight
 * answer, 405, the farewell after `close()`, 503 when full, or the stream.
 */
export function admitSse(context: PipeContext, arrival: SseArrival): SseAdmission {
  const { options } = context
  const origin = arrival.origin
  if (arrival.method === 'OPTIONS')
    return {
      kind: 'answer',
      status: 204,
      headers: { ...preflightHeaders(options.cors, origin), ...ALLOW },
      body: undefined,
    }
  if (arrival.method !== 'GET')
    return { kind: 'answer', status: 405, headers: { ...ALLOW }, body: undefined }
  const headers = { ...SSE_HEADERS, ...corsHeaders(options.cors, origin) }
  if (context.farewell !== undefined)
    // Not a 503: a native EventSource treats that as final and never comes back.
    return {
      kind: 'answer',
      status: 200,
      headers,
      body: farewellBody(options.retry, context.farewell.chunk),
    }
  if (!context.hasRoom())
    return { kind: 'answer', status: 503, headers: retryAfter(options.retry), body: undefined }
  // Native EventSource cannot set headers on its first request: `?lastEventId=` stands in.
  const resumePoint = arrival.lastEventId ?? queryOf(arrival.target).get('lastEventId') ?? undefined
  return { kind: 'stream', headers, resumePoint }
}
