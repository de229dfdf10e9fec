import mitt from 'mitt'
import { LifelineError } from './errors'
import type { ConnectionEvents, StreamEvent } from './events'

/** A handler of one event type. */
export type EventHandler = (event: StreamEvent) => void
/** A handler of every server event (`'*'`). */
export type WildcardHandler = (type: string, event: StreamEvent) => void

/** The app's handlers of server events, by type, with `'*'` for all. */
export interface EventHandlers {
  on(type: string, handler: EventHandler | WildcardHandler): void
  off(type: string, handler: EventHandler | WildcardHandler): void
  /** Calls the handlers of the event's type, then the wildcard ones; a throw is reported, not raised. */
  emit(event: StreamEvent): void
}

/** The connection's events on a mitt emitter; handlers that throw are reported, not raised. */
export interface ConnectionEmitter {
  on<K extends keyof ConnectionEvents>(type: K, handler: (event: ConnectionEvents[K]) => void): void
  off<K extends keyof ConnectionEvents>(
    type: K,
    handler: (event: ConnectionEvents[K]) => void,
  ): void
  emit<K extends keyof ConnectionEvents>(type: K, event: ConnectionEvents[K]): void
  /** Emits `error`; with no `error` handler, a handler error goes to `reportError` where there is one. */
  report(error: LifelineError): void
}

const NONE: readonly never[] = []

const handlerError = (type: string, cause: unknown) =>
  new LifelineError('handler', `a '${type}' handler threw`, { cause })

/**
 * Creates the registry of event handlers. Lists are copied on write, so emitting (once per
 * event, the hot path) copies nothing, and a handler may unsubscribe while it runs.
 */
export function createEventHandlers(report: (error: LifelineError) => void): EventHandlers {
  const handlers = new Map<string, readonly (EventHandler | WildcardHandler)[]>()
  return {
    on(type, handler) {
      handlers.set(type, [...(handlers.get(type) ?? []), handler])
    },
    off(type, handler) {
      const list = handlers.get(type)?.filter((h) => h !== handler)
      if (list?.length) handlers.set(type, list)
      else handlers.delete(type)
    },
    emit(event) {
      for (const handler of handlers.get(event.type) ?? NONE) {
        try {
          ;(handler as EventHandler)(event)
        } catch (cause) {
          report(handlerError(event.type, cause))
        }
      }
      for (const handler of handlers.get('*') ?? NONE) {
        try {
          ;(handler as WildcardHandler)(event.type, event)
        } catch (cause) {
          report(handlerError('*', cause))
        }
      }
    },
  }
}

/** Creates the emitter of `client.connection` events. */
export function createConnectionEmitter(): ConnectionEmitter {
  const emitter = mitt<ConnectionEvents>()
  const call = <K extends keyof ConnectionEvents>(type: K, event: ConnectionEvents[K]) => {
    // Connection events are rare: a copy lets a handler unsubscribe while it runs.
    for (const handler of [...(emitter.all.get(type) ?? [])]) {
      try {
        ;(handler as (event: ConnectionEvents[K]) => void)(event)
      } catch (cause) {
        if (type !== 'error') connection.report(handlerError(type, cause))
      }
    }
  }
  const connection: ConnectionEmitter = {
    on: (type, handler) => emitter.on(type, handler),
    off: (type, handler) => emitter.off(type, handler),
    emit: call,
    report(error) {
      if (emitter.all.get('error')?.length) return call('error', error)
      const reportError = (globalThis as { reportError?: (error: unknown) => void }).reportError
      if (error.code === 'handler' && typeof reportError === 'function') reportError(error)
    },
  }
  return connection
}
