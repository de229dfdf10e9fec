import type { Client, ConnectionEvents, LifelineError, StreamEvent } from '@lifeline/core'

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

interface Waiter {
  predicate: () => boolean
  resolve: () => void
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
  const waiters = new Set<Waiter>()
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (!waiter.predicate()) continue
      waiters.delete(waiter)
      waiter.resolve()
    }
  }
  const now = () => performance.now()
  const recorder: Recorder = {
    events: [],
    times: [],
    states: [],
    transports: [],
    gaps: [],
    retries: [],
    errors: [],
    until(predicate, what, timeoutMs = 10_000) {
      if (predicate()) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const poll = setInterval(settle, 10)
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          clearInterval(poll)
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${describe()}`))
        }, timeoutMs)
        const waiter: Waiter = {
          predicate,
          resolve: () => {
            clearTimeout(timer)
            clearInterval(poll)
            resolve()
          },
        }
        waiters.add(waiter)
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
      client.connection.off('state', onState)
      client.connection.off('transport', onTransport)
      client.connection.off('gap', onGap)
      client.connection.off('retry', onRetry)
      client.connection.off('error', onError)
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
  const onState = timed(recorder.states)
  const onTransport = timed(recorder.transports)
  const onGap = timed(recorder.gaps)
  const onRetry = timed(recorder.retries)
  const onError = (error: LifelineError) => {
    recorder.errors.push(error)
    settle()
  }
  client.on('*', onEvent)
  client.connection.on('state', onState)
  client.connection.on('transport', onTransport)
  client.connection.on('gap', onGap)
  client.connection.on('retry', onRetry)
  client.connection.on('error', onError)
  return recorder
}
