import { createClient, type Transport } from '@lifeline/core'
import { longPoll } from '@lifeline/long-poll'
import { sseFetch } from '@lifeline/sse-fetch'
import { EventSource } from 'eventsource'
import { createParser } from 'eventsource-parser'

/**
 * The HTTP clients compared end to end: Lifeline over sse-fetch, over long-poll, and the
 * baselines.
 */
export type SseVariant = 'lifeline' | 'long-poll' | 'raw' | 'eventsource'

/** Where to read and how much: `count` events of type `message`, resuming from `lastEventId`. */
export interface StreamSpec {
  url: string
  lastEventId: string
  count: number
}

/**
 * Lifeline as an app uses it: `createClient` with one transport and a handler. Strategy
 * `none`: the remedies only act on faults, and a benchmark has none.
 */
function lifeline(
  { url, lastEventId, count }: StreamSpec,
  transport: Transport = sseFetch(),
): Promise<void> {
  return new Promise((resolve) => {
    const client = createClient({ url, transports: [transport], lastEventId, strategy: 'none' })
    let received = 0
    client.on('message', () => {
      if (++received === count) {
        client.close()
        resolve()
      }
    })
  })
}

/** The raw baseline: `fetch`, a stream reader, `TextDecoder` and `eventsource-parser`. */
async function raw({ url, lastEventId, count }: StreamSpec): Promise<void> {
  const controller = new AbortController()
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', 'last-event-id': lastEventId },
    signal: controller.signal,
  })
  if (response.body === null) throw new Error('no body')
  const reader = response.body.getReader()
  const text = new TextDecoder()
  let received = 0
  const parser = createParser({
    onEvent(event) {
      if ((event.event ?? 'message') === 'message') received++
    },
  })
  while (received < count) {
    const { done, value } = await reader.read()
    if (done) throw new Error(`stream ended after ${received} events`)
    parser.feed(text.decode(value, { stream: true }))
  }
  controller.abort()
}

/** The `eventsource` npm package (a spec-following EventSource on fetch). */
function eventSource({ url, lastEventId, count }: StreamSpec): Promise<void> {
  return new Promise((resolve) => {
    // Its first request sends no Last-Event-ID; the hub reads the query parameter instead.
    const source = new EventSource(`${url}?lastEventId=${encodeURIComponent(lastEventId)}`)
    let received = 0
    source.onmessage = () => {
      if (++received === count) {
        source.close()
        resolve()
      }
    }
  })
}

/**
 * Receives `count` events over SSE with one of the compared clients; resolves at the last.
 *
 * @example
 * ```ts
 * await receiveSse('raw', { url, lastEventId: 'bench-0', count: 200_000 })
 * ```
 */
export function receiveSse(variant: SseVariant, spec: StreamSpec): Promise<void> {
  switch (variant) {
    case 'lifeline':
      return lifeline(spec)
    case 'long-poll':
      return lifeline(spec, longPoll())
    case 'raw':
      return raw(spec)
    case 'eventsource':
      return eventSource(spec)
  }
}
