import {
  type ConnectionEvents,
  type ConnectionState,
  createClient,
  LifelineError,
  type StreamEvent,
} from '@lifeline/core'
import type { EventStreamOptions } from './options-key'

/** What `useEventStream` returns: the connection as of the last change, and the data. */
export interface EventStream<T> {
  readonly state: ConnectionState
  /** The name of the transport in use (or about to be). */
  readonly transport: string
  /**
   * The resume point as of the last change reported here (an event of a type it takes, a
   * state or transport change, a resume or a gap); a position block alone moves it silently.
   */
  readonly lastEventId: string | undefined
  /** The reduced value, or the last event without `reduce`. */
  readonly data: T
  /** The last error the client reported (or `invalid-option`); cleared when the stream opens. */
  readonly error: LifelineError | undefined
}

const KEYS = ['state', 'transport', 'lastEventId', 'data', 'error'] as const

/** The handlers a binding reads at each event, so the latest render's ones apply. */
export interface StreamHandlers<T> {
  /** Event types to take; `undefined` takes every type. */
  events?: readonly string[] | undefined
  onEvent?: ((event: StreamEvent) => void) | undefined
  reduce(data: T, event: StreamEvent): T
  onGap?: ((gap: ConnectionEvents['gap']) => void) | undefined
}

/** One client, bound to a listener of its snapshots. */
export interface StreamBinding {
  /** Closes the client; nothing is reported after it. */
  close(): void
}

/** The snapshot before a client exists: what server rendering and the first render show. */
export function idleStream<T>(options: EventStreamOptions, data: T): EventStream<T> {
  return {
    state: 'idle',
    transport: Array.isArray(options.transports) ? (options.transports[0]?.name ?? '') : '',
    lastEventId: options.lastEventId || undefined,
    data,
    error: undefined,
  }
}

/**
 * Creates a client for `options` and reports every change as a new snapshot. The client
 * connects in a microtask, not at once: React's development double mount (StrictMode)
 * closes the first binding in the same task, so that one never opens a connection.
 */
export function bindStream<T>(
  options: EventStreamOptions,
  initial: T,
  handlers: () => StreamHandlers<T>,
  onChange: (snapshot: EventStream<T>) => void,
): StreamBinding {
  let snapshot = idleStream(options, initial)
  let closed = false
  let client: ReturnType<typeof createClient>
  try {
    client = createClient({ ...options, connect: false })
  } catch (cause) {
    const error =
      cause instanceof LifelineError
        ? cause
        : new LifelineError('invalid-option', String(cause), { cause })
    onChange({ ...snapshot, state: 'closed', error })
    return { close() {} }
  }
  const { connection } = client
  const update = (change: Partial<EventStream<T>>) => {
    if (closed) return
    const next: EventStream<T> = {
      ...snapshot,
      state: connection.state,
      transport: connection.transport,
      lastEventId: connection.lastEventId,
      ...change,
    }
    // An unchanged snapshot is not reported: a component renders only when something moved.
    if (KEYS.every((key) => Object.is(next[key], snapshot[key]))) return
    snapshot = next
    onChange(snapshot)
  }
  client.on('*', (type, event) => {
    if (closed) return
    const { events, onEvent, reduce } = handlers()
    if (events !== undefined && !events.includes(type)) return
    onEvent?.(event)
    update({ data: reduce(snapshot.data, event) })
  })
  connection.on('state', ({ to }) => update(to === 'open' ? { error: undefined } : {}))
  connection.on('transport', () => update({}))
  connection.on('resumed', () => update({}))
  connection.on('gap', (gap) => {
    if (closed) return
    handlers().onGap?.(gap)
    update({})
  })
  connection.on('error', (error) => update({ error }))
  onChange(snapshot)
  queueMicrotask(() => {
    if (!closed) client.connect()
  })
  return {
    close() {
      closed = true
      client.close()
    },
  }
}
