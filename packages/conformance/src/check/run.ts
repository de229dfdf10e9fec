import { isAppEvent, type WireBlock } from './blocks'
import { runHook } from './hooks'
import type { CheckOptions } from './options'
import { openSse, type SseSession } from './sse-session'
import type { WireSession } from './wire-session'
import { openWs, type WsSession } from './ws-session'

/**
 * The fresh SSE stream the check opens first and keeps open: its events, in order, are
 * what every replay and every other pipe is compared with.
 */
export interface Reference {
  readonly session: SseSession
  /** The position block's id and index, once read and when it came before any event. */
  position?: { id: string; index: number }
}

/** One check: its name is printed with ✓ or ✗; `run` throws the reason it failed. */
export interface Check {
  readonly name: string
  run(run: Run): Promise<void>
}

/** What the checks of one run share. */
export interface Run {
  readonly options: CheckOptions
  /** Opens an SSE request (`lastEventId` as the header, `query` added to the URL). */
  sse(request?: { lastEventId?: string; query?: Record<string, string> }): Promise<SseSession>
  /** Opens a WebSocket and sends the hello. Needs `--ws`. */
  ws(lastEventId?: string): Promise<WsSession>
  /** Asks for `count` more events: runs `--publish` that often, or leaves it to the server. */
  more(count: number): Promise<void>
  reference: Reference | undefined
  /** The reference's first `count` events after its position block, waiting for them. */
  events(count: number): Promise<readonly WireBlock[]>
  /** The reference's events seen so far. */
  eventsSoFar(): readonly WireBlock[]
  /** Work started by one check and finished by a later one (heartbeat watches). */
  readonly pending: Map<string, Promise<Error | undefined>>
  /** State a check leaves for the next ones: the first WebSocket, where a restart began. */
  readonly shared: { ws?: WsSession; restart?: { sse: number; ws: number; lastEventId: string } }
  /** Every session opened, for the id check and to close them all. */
  readonly sessions: readonly WireSession[]
  closeAll(): void
}

/** Creates the state of one run. */
export function createRun(options: CheckOptions): Run {
  const sessions: WireSession[] = []
  const events: WireBlock[] = []
  let reading: ReturnType<SseSession['cursor']> | undefined
  const track = <S extends WireSession>(session: S) => {
    sessions.push(session)
    return session
  }
  const noEventHint =
    options.publish === undefined
      ? ' (without --publish the server must publish on its own)'
      : ' (after --publish)'

  const run: Run = {
    options,
    async sse(request = {}) {
      const url = new URL(options.url)
      for (const [name, value] of Object.entries(request.query ?? {}))
        url.searchParams.set(name, value)
      return track(
        await openSse(url, {
          headers: options.headers,
          timeoutMs: options.timeoutMs,
          ...(request.lastEventId === undefined ? {} : { lastEventId: request.lastEventId }),
        }),
      )
    },
    async ws(lastEventId) {
      if (options.ws === undefined) throw new Error('no --ws URL')
      return track(
        await openWs(options.ws, {
          headers: options.headers,
          timeoutMs: options.timeoutMs,
          ...(lastEventId === undefined ? {} : { lastEventId }),
        }),
      )
    },
    async more(count) {
      const { publish } = options
      if (publish === undefined) return
      for (let i = 0; i < count; i++) await runHook(publish, 'publish', options.timeoutMs)
    },
    reference: undefined,
    async events(count) {
      const reference = run.reference
      if (reference === undefined) throw new Error('the reference stream did not open')
      reading ??= reference.session.cursor(options.timeoutMs, (reference.position?.index ?? -1) + 1)
      while (events.length < count) {
        try {
          const item = await reading.next(`event ${events.length + 1} on the first stream`, (i) =>
            isAppEvent(i),
          )
          events.push(item as WireBlock)
        } catch (error) {
          throw new Error(`${(error as Error).message}${noEventHint}`)
        }
      }
      return events
    },
    eventsSoFar: () => events,
    pending: new Map(),
    shared: {},
    sessions,
    closeAll() {
      for (const session of sessions) session.close()
    },
  }
  return run
}
