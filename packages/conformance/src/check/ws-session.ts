import WebSocket from 'ws'
import { within } from '../wait'
import { createBlockReader } from './blocks'
import { createWireSession, extendSession, type WireSession } from './wire-session'

/** A WebSocket being read, after the hello. */
export interface WsSession extends WireSession {
  /** Frames so far. */
  readonly frames: number
  /** How many items the first frame (the acceptance) held; undefined until it came. */
  readonly acceptanceItems: number | undefined
  /** Frames that were binary, or ended inside a line or a block. */
  readonly badFrames: readonly string[]
  /** The close code, once the socket closed. */
  readonly closeCode: number | undefined
  /** Resolves once the first frame (the acceptance) arrived; rejects after `timeoutMs`. */
  accepted(timeoutMs: number): Promise<void>
  send(text: string): void
}

/** What {@link openWs} sends. */
export interface WsRequest {
  /** Extra headers on the upgrade request (`--header`). */
  headers: Readonly<Record<string, string>>
  /** The hello's `lastEventId`; absent on a fresh connect. */
  lastEventId?: string
  /** The bound on the upgrade, in ms. */
  timeoutMs: number
}

/**
 * Opens a WebSocket (no `Origin`, as a non-browser client) and sends the hello as the
 * client does; resolves once the upgrade succeeded. Every frame feeds one reader, as one
 * decoder reads one connection; a frame that ends mid-block is noted in `badFrames`.
 */
export function openWs(url: URL, request: WsRequest): Promise<WsSession> {
  return new Promise<WsSession>((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { ...request.headers },
      handshakeTimeout: request.timeoutMs,
    })
    const feed = createWireSession(() => ws.terminate())
    const reader = createBlockReader()
    const badFrames: string[] = []
    let frames = 0
    let acceptanceItems: number | undefined
    let closeCode: number | undefined
    let accept = () => {}
    const acceptance = new Promise<void>((resolve) => {
      accept = resolve
    })
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate()
      reject(new Error(`the upgrade was answered with HTTP ${res.statusCode}`))
    })
    ws.on('error', (error) => {
      reject(new Error(`the WebSocket failed: ${error.message}`))
      feed.finish(`the WebSocket failed: ${error.message}`)
    })
    ws.once('close', (code) => {
      closeCode = code
      feed.finish(`the socket closed with code ${code}`)
    })
    ws.on('message', (data, isBinary) => {
      frames++
      if (isBinary) badFrames.push(`frame ${frames} is binary`)
      else {
        try {
          feed.push(reader.feed(data.toString()))
        } catch (error) {
          feed.finish(`the stream broke: ${(error as Error).message}`)
        }
        if (reader.partial) badFrames.push(`frame ${frames} ends inside a block`)
      }
      if (acceptanceItems === undefined) {
        acceptanceItems = feed.session.items.length
        accept()
      }
    })
    ws.once('open', () => {
      const hello =
        request.lastEventId === undefined
          ? { type: 'hello' }
          : { type: 'hello', lastEventId: request.lastEventId }
      ws.send(JSON.stringify(hello))
      resolve(
        extendSession(feed.session, {
          get frames() {
            return frames
          },
          get acceptanceItems() {
            return acceptanceItems
          },
          badFrames,
          get closeCode() {
            return closeCode
          },
          send: (text: string) => ws.send(text),
          accepted: (timeoutMs: number) =>
            within(acceptance, 'the first frame after the hello', timeoutMs),
        }),
      )
    })
  })
}
