import {
  type ConnectionEvents,
  createClient,
  type Client as LifelineClient,
  type StreamEvent,
} from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { websocket } from '@lifeline/websocket'

export type TransportName = 'sse-fetch' | 'websocket'

/** A Lifeline client with every event and connection event it emitted, and bounded waits. */
export function startClient(url: string, transport: TransportName) {
  const client: LifelineClient = createClient({
    url,
    transports: [transport === 'sse-fetch' ? sseFetch() : websocket()],
    backoff: { initial: 20, max: 100 },
  })
  const events: StreamEvent[] = []
  const gaps: ConnectionEvents['gap'][] = []
  /** How many events had arrived at each gap. */
  const gapsAt: number[] = []
  const resumes: { replayed: number }[] = []
  const wakes = new Set<() => void>()
  const wake = () => {
    for (const check of wakes) check()
  }
  client.on('*', (_type, event) => {
    events.push(event)
    wake()
  })
  client.connection.on('gap', (gap) => {
    gaps.push(gap)
    gapsAt.push(events.length)
    wake()
  })
  client.connection.on('resumed', (resumed) => {
    resumes.push(resumed)
    wake()
  })
  client.connection.on('state', wake)
  const until = (what: string, check: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop()
        reject(new Error(`${what} did not happen within 10 s (${events.length} events)`))
      }, 10_000)
      // The position block emits nothing, so the resume point is also checked on a tick.
      const tick = setInterval(test, 10)
      function stop() {
        clearTimeout(timer)
        clearInterval(tick)
        wakes.delete(test)
      }
      function test() {
        if (!check()) return
        stop()
        resolve()
      }
      wakes.add(test)
      test()
    })
  return {
    client,
    events,
    gaps,
    gapsAt,
    resumes,
    until,
    /**
     * Open with its position block: the hub has the stream's head for it, so anything
     * published from now on is after the head and reaches it.
     */
    open: () =>
      until(
        'open at a position',
        () => client.connection.state === 'open' && client.connection.lastEventId !== undefined,
      ),
    received: (data: string) => until(`"${data}"`, () => events.some((e) => e.data === data)),
    /** Connection attempts that failed so far, whatever the reason. */
    failures: () =>
      Object.values(client.connection.diagnostics().failures).reduce((sum, n) => sum + n, 0),
  }
}
