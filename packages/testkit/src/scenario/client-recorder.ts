import type { Client, ConnectionEvents, LifelineError, StreamEvent } from '@lifeline/core'
import { createNotifier, nextEvent, until as untilHolds } from '../wait'

/** A connection event as the recorder kept it, with when it happened. */
export interface Timed<T> {
  at: number
  event: T
}

/** Everything a client told the app, in order, with `performance.now()` times. */
export interface Recorder {
  /** Events delivered to the app (`'*'`). */
  readonly events: StreamEvent[]
  /** When each of {@link events} arrived (same index). */
  readonly times: number[]
  readonly states: Timed<ConnectionEvents['state']>[]
  readonly transports: Timed<ConnectionEvents['transport']>[]
  readonly gaps: Timed<ConnectionEvents['gap']>[]
  readonly retries: Timed<ConnectionEvents['retry']>[]
  readonly errors: LifelineError[]
  /**
   * Resolves once `predicate` holds, checked after everything the client reports (and every
   * 10 ms, for what it does not report, such as a position block); rejects after `timeoutMs`
   * naming `what` and where the client stood.
   */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>
  /** The first delivered event at or after `index` that `accept` takes, with its time. */
  firstAfter(
    index: number,
    accept: (event: StreamEvent) => boolean,
  ): { event: StreamEvent; at: number } | undefined
  /** A one-line summary for failure messages. */
  describe(): string
  detach(): void
}

/**
 * Records what `client` reports so a test can wait for the event it expects (with a bound)
 * and assert on the whole history afterwards.
 *
 * @example
 * ```ts
 * const seen = record(client)
 * await seen.until(() => seen.events.length >= 10, 'ten events')
 * ```
 */
export function record(client: Client): Recorder {
  const changes = createNotifier()
  const settle = changes.notify
  const now = () => performance.now()
  const recorder: Recorder = {
    events: [],
    times: [],
    states: [],
    transports: [],
    gaps: [],
    retries: [],
    errors: [],
    async until(predicate, what, timeoutMs = 10_000) {
      await untilHolds(predicate, what, {
        wake: changes.wake,
        pollMs: 10,
        timeoutMs,
        detail: describe,
      })
    },
    firstAfter(index, accept) {
      for (let i = index; i < recorder.events.length; i++) {
        const event = recorder.events[i] as StreamEvent
        if (accept(event)) return { event, at: recorder.times[i] as number }
      }
      return undefined
    },
    describe,
    detach() {
      client.off('*', onEvent)
      for (const unsubscribe of subscriptions) unsubscribe()
    },
  }
  function describe(): string {
    const { state, transport, lastEventId } = client.connection
    const last = recorder.events[recorder.events.length - 1]
    return (
      `state ${state} on ${transport}, resume point ${lastEventId}, ` +
      `${recorder.events.length} events (last ${last?.id}: ${last?.data}), ` +
      `gaps ${recorder.gaps.length}, switches ${recorder.transports.map((t) => t.event.to).join('→') || 'none'}, ` +
      `diagnostics ${JSON.stringify(client.connection.diagnostics())}`
    )
  }
  const onEvent = (_type: string, event: StreamEvent) => {
    recorder.events.push(event)
    recorder.times.push(now())
    settle()
  }
  const timed =
    <T>(list: Timed<T>[]) =>
    (event: T) => {
      list.push({ at: now(), event })
      settle()
    }
  client.on('*', onEvent)
  const subscriptions = [
    subscribe(client, 'state', timed(recorder.states)),
    subscribe(client, 'transport', timed(recorder.transports)),
    subscribe(client, 'gap', timed(recorder.gaps)),
    subscribe(client, 'retry', timed(recorder.retries)),
    subscribe(client, 'error', (error: LifelineError) => {
      recorder.errors.push(error)
      settle()
    }),
  ]
  return recorder
}

/** Listens to the `name` events of `client.connection`; returns the unsubscribe. */
function subscribe<K extends keyof ConnectionEvents>(
  client: Client,
  name: K,
  handler: (event: ConnectionEvents[K]) => void,
): () => void {
  client.connection.on(name, handler)
  return () => client.connection.off(name, handler)
}

/**
 * Resolves with the next `name` event of `client.connection` that `accept` takes (any, by
 * default), within `timeoutMs`: one still to come, so call it before what causes it.
 *
 * @example
 * ```ts
 * const resumed = nextConnectionEvent(client, 'resumed')
 * proxy.cutAll()
 * expect(await resumed).toEqual({ replayed: 5 })
 * ```
 */
export function nextConnectionEvent<K extends keyof ConnectionEvents>(
  client: Client,
  name: K,
  accept?: (event: ConnectionEvents[K]) => boolean,
  timeoutMs?: number,
): Promise<ConnectionEvents[K]> {
  return nextEvent<ConnectionEvents[K]>(
    (listener) => subscribe(client, name, listener),
    `the ${name} event`,
    { accept, timeoutMs },
  )
}
