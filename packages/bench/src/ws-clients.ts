import { createClient } from '@lifeline/core'
import { websocket } from '@lifeline/websocket'
import { createParser } from 'eventsource-parser'
import { io } from 'socket.io-client'
import { WebSocket } from 'ws'
import type { StreamSpec } from './sse-clients'

/** The WebSocket clients compared end to end. */
export type WsVariant = 'lifeline' | 'raw' | 'socket.io'

/** Where a WebSocket client connects: the hub's `ws:` URL (Lifeline derives it from `url`). */
export interface WsStreamSpec extends StreamSpec {
  wsUrl: string
}

/**
 * Lifeline with the websocket transport. `ws` is passed in, as the raw client imports it too,
 * so neither pays for loading it inside the measured run.
 */
function lifeline({ url, lastEventId, count }: WsStreamSpec): Promise<void> {
  return new Promise((resolve) => {
    const client = createClient({
      url,
      transports: [websocket({ WebSocket })],
      lastEventId,
      strategy: 'none',
    })
    let received = 0
    client.on('message', () => {
      if (++received === count) {
        client.close()
        resolve()
      }
    })
  })
}

/**
 * The raw baseline: a `ws` socket that sends the hello and feeds every text frame to
 * `eventsource-parser`, the least a client of this protocol can do to get its events.
 */
function raw({ wsUrl, lastEventId, count }: WsStreamSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl)
    let received = 0
    const parser = createParser({
      onEvent(event) {
        if ((event.event ?? 'message') === 'message' && ++received === count) {
          socket.close()
          resolve()
        }
      },
    })
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', lastEventId })))
    socket.on('message', (data) => parser.feed(data.toString()))
    socket.on('error', reject)
  })
}

/** socket.io-client over its WebSocket transport, against its own server. */
function socketIo({ url, count }: WsStreamSpec): Promise<void> {
  return new Promise((resolve) => {
    const socket = io(url, { transports: ['websocket'] })
    let received = 0
    socket.on('message', () => {
      if (++received === count) {
        socket.close()
        resolve()
      }
    })
  })
}

/**
 * Receives `count` events over WebSocket with one of the compared clients.
 *
 * @example
 * ```ts
 * await receiveWs('raw', { url, wsUrl, lastEventId: 'bench-0', count: 200_000 })
 * ```
 */
export function receiveWs(variant: WsVariant, spec: WsStreamSpec): Promise<void> {
  switch (variant) {
    case 'lifeline':
      return lifeline(spec)
    case 'raw':
      return raw(spec)
    case 'socket.io':
      return socketIo(spec)
  }
}
