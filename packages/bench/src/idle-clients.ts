import { createClient } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { websocket } from '@lifeline/websocket'
import { createParser } from 'eventsource-parser'
import { WebSocket } from 'ws'

/** The idle connections compared for memory, Lifeline against raw on each pipe. */
export type IdleVariant = 'lifeline sse-fetch' | 'raw fetch' | 'lifeline websocket' | 'raw ws'

/** An idle connection to the hub's stream. */
export interface IdleSpec {
  url: string
  wsUrl: string
}

/** Resolves once the client is open; Lifeline's `open` follows the server's first bytes. */
function lifeline(transport: 'sse' | 'websocket', { url }: IdleSpec): Promise<void> {
  return new Promise((resolve) => {
    const client = createClient({
      url,
      transports: [transport === 'sse' ? sseFetch() : websocket({ WebSocket })],
    })
    client.on('message', () => {})
    client.connection.on('state', ({ to }) => {
      if (to === 'open') resolve()
    })
  })
}

/** What an app holds for a raw SSE stream: the response, its reader, a decoder and a parser. */
async function rawFetch({ url }: IdleSpec): Promise<void> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' } })
  if (response.body === null) throw new Error('no body')
  const reader = response.body.getReader()
  const text = new TextDecoder()
  const parser = createParser({ onEvent() {} })
  const first = await reader.read()
  if (first.value !== undefined) parser.feed(text.decode(first.value, { stream: true }))
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      parser.feed(text.decode(value, { stream: true }))
    }
  })()
}

/** A raw `ws` socket with the hello sent and a parser for its frames. */
function rawWs({ wsUrl }: IdleSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl)
    const parser = createParser({ onEvent() {} })
    socket.on('open', () => socket.send('{"type":"hello"}'))
    socket.on('message', (data) => {
      parser.feed(data.toString())
      resolve()
    })
    socket.on('error', reject)
  })
}

/**
 * Opens one idle connection of `variant` and resolves once the server has accepted it.
 *
 * @example
 * ```ts
 * await openIdle('raw ws', { url, wsUrl })
 * ```
 */
export function openIdle(variant: IdleVariant, spec: IdleSpec): Promise<void> {
  switch (variant) {
    case 'lifeline sse-fetch':
      return lifeline('sse', spec)
    case 'raw fetch':
      return rawFetch(spec)
    case 'lifeline websocket':
      return lifeline('websocket', spec)
    case 'raw ws':
      return rawWs(spec)
  }
}
