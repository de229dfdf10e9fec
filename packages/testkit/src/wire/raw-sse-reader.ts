import { createRawItems, type RawItems } from './raw-items'

/** Options of {@link openRawSse}. */
export interface RawSseOptions {
  /** Sent as the `Last-Event-ID` header. */
  lastEventId?: string | undefined
  headers?: Record<string, string>
}

/** A plain `fetch` SSE connection, parsed with `eventsource-parser` and nothing of Lifeline. */
export interface RawSseReader extends RawItems {
  readonly status: number
  readonly headers: Headers
  /** Aborts the request; the reader ends. */
  close(): void
}

/**
 * Opens an SSE stream with plain `fetch` and parses it as the server sent it, so server
 * tests prove the wire format without any Lifeline client code.
 *
 * @example
 * ```ts
 * const reader = await openRawSse(url, { lastEventId: '...' })
 * const [first] = await reader.waitForEvents(1)
 * reader.close()
 * ```
 */
export async function openRawSse(
  url: string | URL,
  options: RawSseOptions = {},
): Promise<RawSseReader> {
  const abort = new AbortController()
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers }
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId
  const response = await fetch(url, { headers, signal: abort.signal })
  const items = createRawItems(`raw SSE ${url}`)

  const pump = async () => {
    if (response.body === null) return
    const decoder = new TextDecoder()
    const reader = response.body.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        items.feed(decoder.decode(value, { stream: true }))
      }
    } catch {
      // An abort or a cut connection ends the reader like the server ending it.
    }
  }
  void pump().finally(() => items.end())

  return Object.assign(items, {
    status: response.status,
    headers: response.headers,
    close() {
      abort.abort()
    },
  })
}
