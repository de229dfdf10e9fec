import type { HubServer } from '../servers/hub-server'
import type { RawItems } from './raw-items'
import { openRawSse } from './raw-sse-reader'
import { openRawWs } from './raw-ws-reader'

/** The two pipes a hub serves, by the name the tests use. */
export type RawPipe = 'sse' | 'websocket'

/** Both pipes, for `describe.each`. */
export const RAW_PIPES: readonly RawPipe[] = ['sse', 'websocket']

/** A raw connection on either pipe. */
export interface RawConnection extends RawItems {
  close(): void
}

/**
 * Opens a raw connection to a {@link HubServer} on either pipe, so one test body covers SSE
 * and WebSocket alike.
 *
 * @example
 * ```ts
 * describe.each(RAW_PIPES)('%s', (pipe) => {
 *   it('replays', async () => {
 *     const reader = await openRawPipe(pipe, server, { lastEventId, stream: 'room' })
 *   })
 * })
 * ```
 */
export function openRawPipe(
  pipe: RawPipe,
  server: Pick<HubServer, 'url' | 'wsUrl'>,
  options: {
    lastEventId?: string | undefined
    stream?: string | undefined
    /** Ask for the retained history: `from=start` in the query, or in the hello. */
    fromStart?: boolean
  } = {},
): Promise<RawConnection> {
  const params = new URLSearchParams()
  if (options.stream !== undefined) params.set('stream', options.stream)
  if (options.fromStart && pipe === 'sse') params.set('from', 'start')
  const query = params.size === 0 ? '' : `?${params}`
  const resume = options.lastEventId === undefined ? {} : { lastEventId: options.lastEventId }
  if (pipe === 'sse') return openRawSse(server.url + query, resume)
  const hello = { type: 'hello', ...resume, ...(options.fromStart ? { from: 'start' } : {}) }
  return openRawWs(server.wsUrl + query, { hello })
}

/** The ids of the id-only blocks (position blocks) among `items`, in order. */
export function positionsOf(items: RawItems['items']): string[] {
  return items.flatMap((item) => (item.kind === 'id' ? [item.id] : []))
}
