import type { CloseReason, Transport, TransportEvent } from '@lifeline/core'
import { connectRequest } from '../doubles/connect-request'

/** Options of {@link followTransport}. */
export interface FollowOptions {
  url: string
  /** Where to resume from on the first open. */
  lastEventId?: string
  maxMessageBytes?: number
  onEvent(event: TransportEvent): void
}

/** What a {@link followTransport} loop has done so far. */
export interface Follower {
  /** Connections opened. */
  readonly opens: number
  /** Why each connection closed, in order. */
  readonly reasons: readonly CloseReason['kind'][]
  readonly lastEventId: string | undefined
  /** Ends the loop; resolves once the open connection reported `closed`. */
  stop(): Promise<void>
}

/**
 * The smallest client there is: opens a transport, resumes from the last id it saw
 * whenever the connection ends or drops, and nothing else (no backoff, no negotiator).
 * Adapter tests use it to exercise a transport exactly as the client drives it without
 * depending on `createClient`; runs in the page.
 *
 * @example
 * ```ts
 * const follower = followTransport(sseXhr(), { url: '/events', onEvent: (e) => seen.push(e) })
 * await follower.stop()
 * ```
 */
export function followTransport(transport: Transport, options: FollowOptions): Follower {
  let lastEventId = options.lastEventId
  let opens = 0
  const reasons: CloseReason['kind'][] = []
  let stopped = false
  let controller: AbortController | undefined
  let settle: (() => void) | undefined

  const connect = () => {
    if (stopped) return
    opens++
    const request = connectRequest(new URL(options.url, globalThis.location?.href), {
      lastEventId,
      ...(options.maxMessageBytes === undefined
        ? {}
        : { maxMessageBytes: options.maxMessageBytes }),
    })
    const own = request.controller
    controller = own
    transport.open(request, {
      opened() {},
      activity() {},
      event(e) {
        if (e.id !== undefined) lastEventId = e.id
        options.onEvent(e)
      },
      id(id) {
        lastEventId = id
      },
      retry() {},
      closed(reason) {
        reasons.push(reason.kind)
        if (controller === own) controller = undefined
        if (stopped) settle?.()
        // A planned end resumes at once; a drop waits a beat so a dead server is not hammered.
        else if (reason.kind === 'ended') setTimeout(connect, 0)
        else if (reason.kind === 'network') setTimeout(connect, 100)
      },
    })
  }
  connect()

  return {
    get opens() {
      return opens
    },
    reasons,
    get lastEventId() {
      return lastEventId
    },
    stop() {
      stopped = true
      if (controller === undefined) return Promise.resolve()
      const done = new Promise<void>((resolve) => {
        settle = resolve
      })
      controller.abort()
      return done
    },
  }
}
