import type { CloseReason, ConnectRequest, Transport, TransportSink } from '@lifeline/core'

/** One connection a {@link ScriptedTransport} opened; the test plays the server through it. */
export interface ScriptedConnection {
  readonly transport: string
  readonly request: ConnectRequest
  /** Every sink call this connection made, in order: `opened`, `event:<type>:<id>`, `closed:<kind>`… */
  readonly log: string[]
  /** Whether `closed` was reported (by the test, or by the abort of the request's signal). */
  readonly isClosed: boolean
  /** The server accepted: `opened()`. */
  accept(): this
  /** A heartbeat comment: `activity()` only. */
  heartbeat(): this
  /** An event: `activity()` then `event()`. */
  send(event: { type?: string; data?: string; id?: string }): this
  /** An id-only block (the position block): `activity()` then `id()`. */
  position(id: string): this
  /** A `retry:` field. */
  retry(ms: number): this
  /** Ends the connection with `closed(reason)`; `{ kind: 'ended' }` by default. */
  end(reason?: CloseReason): this
  /** Raw sink access, to misbehave on purpose (late calls after an abort, double closes). */
  readonly sink: TransportSink
}

/** A transport whose connections a test drives by hand. */
export interface ScriptedTransport extends Transport {
  readonly connections: ScriptedConnection[]
  /** The newest connection; throws when there is none. */
  last(): ScriptedConnection
  /** Connections not yet closed. */
  live(): ScriptedConnection[]
}

/**
 * An in-memory transport for client tests: nothing happens until the test says so, so
 * every interleaving of opens, events, closes and timers can be scripted deterministically.
 *
 * @example
 * ```ts
 * const sse = scriptedTransport('sse')
 * const client = createClient({ url: 'http://127.0.0.1/', transports: [sse] })
 * sse.last().accept().send({ id: '1', data: 'a' })
 * ```
 */
export function scriptedTransport(name = 'scripted'): ScriptedTransport {
  const connections: ScriptedConnection[] = []
  const transport: ScriptedTransport = {
    name,
    connections,
    last() {
      const connection = connections[connections.length - 1]
      if (connection === undefined) throw new Error(`transport '${name}' has opened no connection`)
      return connection
    },
    live: () => connections.filter((connection) => !connection.isClosed),
    open(request, sink) {
      const log: string[] = []
      let closed = false
      const close = (reason: CloseReason) => {
        if (closed) return
        closed = true
        log.push(`closed:${reason.kind}`)
        sink.closed(reason)
      }
      const connection: ScriptedConnection = {
        transport: name,
        request,
        log,
        sink,
        get isClosed() {
          return closed
        },
        accept() {
          log.push('opened')
          sink.opened()
          return this
        },
        heartbeat() {
          sink.activity()
          return this
        },
        send({ type = 'message', data = '', id }) {
          log.push(`event:${type}:${id ?? ''}`)
          sink.activity()
          sink.event(id === undefined ? { type, data } : { type, data, id })
          return this
        },
        position(id) {
          log.push(`id:${id}`)
          sink.activity()
          sink.id(id)
          return this
        },
        retry(ms) {
          sink.activity()
          sink.retry(ms)
          return this
        },
        end(reason = { kind: 'ended' }) {
          close(reason)
          return this
        },
      }
      request.signal.addEventListener('abort', () => close({ kind: 'aborted' }), { once: true })
      connections.push(connection)
      return { close: () => close({ kind: 'aborted' }) }
    },
  }
  return transport
}
