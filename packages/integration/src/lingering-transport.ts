import type { Transport, TransportSink } from '@lifeline/core'

/** A transport whose abandoned connections keep delivering for a while. */
export interface LingeringTransport extends Transport {
  /** Events handed to a sink after the client had given that connection up. */
  readonly lateEvents: number
  /**
   * Events that were never published, handed to an abandoned connection's sink (with an
   * id): if the client let late frames through, the app would see them.
   */
  readonly forgedEvents: number
  /**
   * From now on the open connections withhold everything they receive, as a stalled hop
   * does, and release it all once the client gave them up: late frames by the hundred.
   */
  hold(): void
}

/**
 * Wraps `inner` so a connection the client aborts stays open for `lingerMs` more and keeps
 * reporting what arrives: the old pipe of a switch still delivering late frames, which the
 * client must ignore — first an event that was never published, then the real ones. `closed`
 * is still reported once per open.
 *
 * @example
 * ```ts
 * const sse = lingering(sseFetch(), 400)
 * const client = createClient({ url, transports: [sse, websocket()] })
 * sse.hold()
 * ```
 */
export function lingering(inner: Transport, lingerMs: number): LingeringTransport {
  const open = new Set<{ hold(): void }>()
  let lateEvents = 0
  let forgedEvents = 0
  return {
    name: inner.name,
    get lateEvents() {
      return lateEvents
    },
    get forgedEvents() {
      return forgedEvents
    },
    hold() {
      for (const connection of open) connection.hold()
    },
    open(request, sink) {
      const own = new AbortController()
      const held: (() => void)[] = []
      let holding = false
      let abandoned = false
      let innerClose: (() => void) | undefined
      const handle = { hold: () => (holding = true) }
      open.add(handle)
      const forward = (call: () => void) => {
        if (holding && !abandoned) held.push(call)
        else call()
      }
      const abandon = () => {
        if (abandoned) return
        abandoned = true
        for (const call of held.splice(0)) call()
        // A frame no server sent: only the client's guard keeps it from the app.
        forgedEvents++
        lateEvents++
        const id = `never-published-${forgedEvents}`
        sink.event({ type: 'message', data: 'forged late frame', id })
        sink.id(id)
        setTimeout(() => {
          own.abort()
          innerClose?.()
        }, lingerMs)
      }
      request.signal.addEventListener('abort', abandon, { once: true })
      const wrapped: TransportSink = {
        opened: () => forward(() => sink.opened()),
        activity: () => forward(() => sink.activity()),
        event: (e) =>
          forward(() => {
            if (abandoned) lateEvents++
            sink.event(e)
          }),
        id: (id) => forward(() => sink.id(id)),
        retry: (ms) => forward(() => sink.retry(ms)),
        closed: (reason) => {
          open.delete(handle)
          for (const call of held.splice(0)) call()
          sink.closed(reason)
        },
      }
      const connection = inner.open({ ...request, signal: own.signal }, wrapped)
      innerClose = () => connection.close()
      return { close: abandon }
    },
  }
}
