import { retryBlock } from './serialize'

/**
 * The response headers of an event stream. [spec] the MIME type is `text/event-stream`;
 * `no-cache` keeps caches from replaying a stream, `x-accel-buffering: no` keeps nginx from
 * buffering it (a proxy that holds bytes back looks like a dead stream to the client).
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
  // Chromium holds back an XHR response it may sniff until 512 bytes arrive; say the type is final.
  'x-content-type-options': 'nosniff',
}

/** Headers of a request the hub turns away for now (maxClients). */
export function busyHeaders(retryMs: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(retryMs / 1000))) }
}

/** The whole body served after `close()`: the retry hint, then the close event. */
export function farewellBody(retryMs: number, close: Uint8Array): Uint8Array<ArrayBuffer> {
  const retry = retryBlock(retryMs)
  const body = new Uint8Array(retry.byteLength + close.byteLength)
  body.set(retry, 0)
  body.set(close, retry.byteLength)
  return body
}

/** The resume point of an SSE request: the `Last-Event-ID` header, else the query parameter. */
export function resumePointOf(header: string | null | undefined, url: URL): string | undefined {
  // Native EventSource cannot set headers on its first request: `?lastEventId=` stands in.
  return header ?? url.searchParams.get('lastEventId') ?? undefined
}
