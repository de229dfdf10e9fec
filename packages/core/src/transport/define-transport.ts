import type {
  CloseReason,
  ConnectRequest,
  Transport,
  TransportConnection,
  TransportEvent,
  TransportSink,
} from './transport'

/**
 * Opens one connection of a transport defined with {@link defineTransport}. It reports to a
 * guarded `sink` and returns the function that releases what the connection holds (sockets,
 * timers, listeners); that runs exactly once, however the connection ends.
 */
export type ConnectFunction = (
  request: ConnectRequest,
  sink: TransportSink,
) => (() => void) | undefined

type Pending = [keyof TransportSink, unknown]

/**
 * Defines a transport from its connect function, with the bookkeeping every transport needs
 * done once: `closed()` is reported exactly once and nothing after it; aborting the
 * request's signal (or `close()`) ends the connection as `aborted`; nothing reaches the
 * client before `open()` has returned (calls made during it are replayed on the next
 * microtask); a connect function that throws ends the connection as a `network` failure.
 * The shipped adapters are built with it.
 *
 * @example
 * ```ts
 * const ticker = defineTransport('ticker', (request, sink) => {
 *   sink.opened()
 *   const timer = setInterval(() => {
 *     sink.activity()
 *     sink.event({ type: 'tick', data: String(Date.now()) })
 *   }, 1_000)
 *   return () => clearInterval(timer)
 * })
 * ```
 */
export function defineTransport(name: string, connect: ConnectFunction): Transport {
  return {
    name,
    open(request, target) {
      // The signal alone is kept: the request (its headers) may go once connect has read it.
      const { signal } = request
      // 0: inside open(), calls wait; 1: open; 2: closed, calls are dropped.
      let stage: 0 | 1 | 2 = 0
      const pending: Pending[] = []
      let release: (() => void) | undefined
      const early = (call: keyof TransportSink, value?: unknown) => {
        pending.push([call, value])
      }
      const closed = (reason: CloseReason) => {
        if (stage === 0) early('closed', reason)
        if (stage !== 1) return
        stage = 2
        signal.removeEventListener('abort', abort)
        release?.()
        target.closed(reason)
      }
      const abort = () => closed({ kind: 'aborted' })
      const sink: TransportSink = {
        opened: () => (stage === 1 ? target.opened() : stage === 0 && early('opened')),
        activity: () => (stage === 1 ? target.activity() : stage === 0 && early('activity')),
        event: (e: TransportEvent) =>
          stage === 1 ? target.event(e) : stage === 0 && early('event', e),
        id: (id: string) => (stage === 1 ? target.id(id) : stage === 0 && early('id', id)),
        retry: (ms: number) => (stage === 1 ? target.retry(ms) : stage === 0 && early('retry', ms)),
        closed,
      }
      const connection: TransportConnection = { close: abort }
      if (signal.aborted) {
        early('closed', { kind: 'aborted' })
      } else {
        signal.addEventListener('abort', abort)
        try {
          release = connect(request, sink) ?? undefined
        } catch (error) {
          early('closed', { kind: 'network', error })
        }
      }
      if (pending.length === 0) stage = 1
      else
        queueMicrotask(() => {
          if (stage !== 0) return
          stage = 1
          for (const [call, value] of pending) {
            if (stage !== 1) break
            ;(sink[call] as (value: unknown) => void)(value)
          }
          pending.length = 0
        })
      return connection
    },
  }
}
