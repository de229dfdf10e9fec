import { get } from 'node:http'
import { createClient } from '@lifeline/core'
import { longPoll } from '@lifeline/long-poll'
import { sseFetch } from '@lifeline/sse-fetch'
import { WebSocket } from 'ws'
import { createLatencyHistogram } from './latency-histogram'

/**
 * One subscriber process of a latency benchmark: raw readers on a pipe (`sse`,
 * `websocket`), or Lifeline clients on one transport (`sse-fetch`, `long-poll`).
 */
export interface SubscribersSpec {
  pipe: 'sse' | 'websocket' | 'sse-fetch' | 'long-poll'
  url: string
  wsUrl: string
  count: number
  /**
   * One stream per connection: connection `i` reads `?stream=<streamPrefix><firstStream + i>`.
   * Default: every connection reads the url's stream.
   */
  streamPrefix?: string
  firstStream?: number
  /** Where Lifeline clients resume from (the stream's head when the run starts). */
  lastEventId?: string
}

/** Runner → subscribers: report once `expect` events reached every connection (or time ran out). */
export interface ReportRequest {
  kind: 'report'
  expect: number
}

/** Subscribers → runner. */
export type SubscribersMessage =
  | { kind: 'connected' }
  | { kind: 'report'; counts: Uint32Array; delivered: number; cpuSeconds: number }

const STAMP = '"t":'
/** Connections opened at once: more would overflow the server's listen backlog. */
const CONNECT_BATCH = 250
const REPORT_WAIT_MS = 15_000

/** The wall clock in ms with sub-ms precision, comparable across processes on one machine. */
export const now = () => performance.timeOrigin + performance.now()

/**
 * Opens `count` raw subscribers (plain `http.get` or `ws`, so the load generator costs little
 * and the figures are the server's) and records, for every event, now minus the publish
 * time stamped in its data.
 */
export async function runSubscribers(spec: SubscribersSpec): Promise<void> {
  const latency = createLatencyHistogram()
  let delivered = 0

  /** Records the stamps in `text` up to `end`, all as arriving now. */
  const stamps = (text: string, end: number) => {
    const at = now()
    for (let i = text.indexOf(STAMP); i !== -1 && i < end; i = text.indexOf(STAMP, i + 4)) {
      latency.record(at - Number.parseFloat(text.slice(i + 4, i + 24)))
      delivered++
    }
  }

  /** Records the stamps of the complete blocks in `text`; returns the incomplete rest. */
  const receive = (text: string): string => {
    const end = text.lastIndexOf('\n\n')
    if (end === -1) return text
    stamps(text, end)
    return text.slice(end + 2)
  }

  const urlOf = (base: string, i: number) =>
    spec.streamPrefix === undefined
      ? base
      : `${base}?stream=${spec.streamPrefix}${(spec.firstStream ?? 0) + i}`

  const openSse = (i: number) =>
    new Promise<void>((resolve, reject) => {
      get(urlOf(spec.url, i), { agent: false }, (res) => {
        res.setEncoding('utf8')
        let tail = ''
        res.once('data', () => resolve())
        res.on('data', (chunk: string) => {
          tail = receive(tail + chunk)
        })
      }).on('error', reject)
    })

  const openWs = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(urlOf(spec.wsUrl, i), { perMessageDeflate: false })
      socket.on('open', () => socket.send('{"type":"hello"}'))
      socket.once('message', () => resolve())
      // The hub writes whole blocks per frame: nothing carries over.
      socket.on('message', (data) => receive(data.toString()))
      socket.on('error', reject)
    })

  /**
   * A Lifeline client as an app runs it, resuming from `spec.lastEventId`: once it is open,
   * nothing published later can miss it (live, or replayed by its next poll).
   */
  const openClient = (transport: 'sse-fetch' | 'long-poll') =>
    new Promise<void>((resolve) => {
      const client = createClient({
        url: spec.url,
        transports: [transport === 'sse-fetch' ? sseFetch() : longPoll()],
        lastEventId: spec.lastEventId,
        strategy: 'none',
      })
      client.on('message', (event) => stamps(event.data, event.data.length))
      const opened = ({ to }: { to: string }) => {
        if (to !== 'open') return
        client.connection.off('state', opened)
        resolve()
      }
      client.connection.on('state', opened)
    })

  const open = (index: number) => {
    switch (spec.pipe) {
      case 'sse':
        return openSse(index)
      case 'websocket':
        return openWs(index)
      default:
        return openClient(spec.pipe)
    }
  }

  for (let opened = 0; opened < spec.count; opened += CONNECT_BATCH) {
    const batch = Math.min(CONNECT_BATCH, spec.count - opened)
    await Promise.all(Array.from({ length: batch }, (_, i) => open(opened + i)))
  }
  process.send?.({ kind: 'connected' } satisfies SubscribersMessage)
  let cpu = process.cpuUsage()

  process.on('message', async (request: ReportRequest) => {
    const deadline = Date.now() + REPORT_WAIT_MS
    while (delivered < request.expect * spec.count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10))
    const used = process.cpuUsage(cpu)
    process.send?.({
      kind: 'report',
      counts: latency.counts,
      delivered,
      cpuSeconds: (used.user + used.system) / 1e6,
    } satisfies SubscribersMessage)
    latency.reset()
    delivered = 0
    cpu = process.cpuUsage()
  })
}
