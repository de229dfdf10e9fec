import { LifelineError } from '../errors'
import type { ConnectionEvents, StreamEvent } from '../events'

/** A handler of one event type. */
export type EventHandler = (event: StreamEvent) => void
/** A handler of every server event (`'*'`). */
export type WildcardHandler = (type: string, event: StreamEvent) => void

type Handler = (first: never, second: never) => void

/** Handlers by type; see {@link createHandlers}. */
export interface Handlers {
  on(type: string, handler: Handler): void
  off(type: string, handler: Handler): void
  has(type: string): boolean
  /** Calls every handler of `type` with the arguments; a throw is reported, not raised. */
  call(type: string, first: unknown, second?: unknown): void
}

const NONE: readonly Handler[] = []

/**
 * Creates a registry of handlers by type. Lists are copied on write, so a call (once per
 * event on the hot path) copies nothing, and a handler may unsubscribe while it runs. One
 * registry serves the server events (with `'*'`) and another the connection events.
 */
export function createHandlers(report: (error: LifelineError) => void): Handlers {
  // Made on the first `on`: most clients register few handlers, some none.
  let lists: Map<string, readonly Handler[]> | undefined
  return {
    on(type, handler) {
      lists ??= new Map()
      lists.set(type, [...(lists.get(type) ?? NONE), handler])
    },
    off(type, handler) {
      const list = lists?.get(type)?.filter((h) => h !== handler)
      if (list?.length) lists?.set(type, list)
      else lists?.delete(type)
    },
    has: (type) => lists?.has(type) === true,
    call(type, first, second) {
      if (lists === undefined) return
      for (const handler of lists.get(type) ?? NONE) {
        try {
          handler(first as never, second as never)
        } catch (cause) {
          // An `error` handler that throws has nobody left to tell.
          if (type !== 'error')
            report(new LifelineError('handler', `a '${type}' handler threw`, { cause }))
        }
      }
    },
  }
}

/** The connection's events; an error nobody handles goes to `reportError` where there is one. */
export interface ConnectionEmitter {
  on<K extends keyof ConnectionEvents>(type: K, handler: (event: ConnectionEvents[K]) => void): void
  off<K extends keyof ConnectionEvents>(
    type: K,
    handler: (event: ConnectionEvents[K]) => void,
  ): void
  emit<K extends keyof ConnectionEvents>(type: K, event: ConnectionEvents[K]): void
  /** Emits `error`; with no `error` handler, a handler error goes to `reportError`. */
  report(error: LifelineError): void
}

/** Creates the emitter of `client.connection` events. */
export function createConnectionEmitter(): ConnectionEmitter {
  const report = (error: LifelineError) => {
    if (handlers.has('error')) return handlers.call('error', error)
    const reportError = (globalThis as { reportError?: (error: unknown) => void }).reportError
    if (error.code === 'handler' && typeof reportError === 'function') reportError(error)
  }
  const handlers = createHandlers(report)
  return {
    on: (type, handler) => handlers.on(type, handler as Handler),
    off: (type, handler) => handlers.off(type, handler as Handler),
    emit: (type, event) => handlers.call(type, event),
    report,
  }
}
