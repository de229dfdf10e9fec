import { createHub, memoryLog } from '@lifeline/server'
import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'

/** A hub server that holds `count` events, ready to stream them to any client that resumes. */
export interface ReplayServer {
  server: HubServer
  /** The position before the first event: a client resuming from it gets all `count`. */
  lastEventId: string
  count: number
}

/** An event of `dataBytes` bytes of data (100 by default); its block is about 120 bytes. */
export function payload(dataBytes = 100): string {
  return 'x'.repeat(dataBytes)
}

/**
 * Starts a hub server whose log already holds `count` events. Every client resumes from the
 * position before the first, so the hub streams all of them as a replay paced by the
 * client's reads: the client is the bottleneck, and no publishing schedule can favour one.
 *
 * @example
 * ```ts
 * const { server, lastEventId } = await startReplayServer(200_000)
 * ```
 */
export async function startReplayServer(count: number): Promise<ReplayServer> {
  const hub = createHub({
    log: memoryLog({ capacity: count, epoch: 'bench' }),
    maxReplay: count,
    maxBufferedBytes: 16 * 1_048_576,
  })
  const data = payload()
  for (let i = 0; i < count; i++) await hub.publish('events', { data })
  return { server: await startHubServer({ hub }), lastEventId: 'bench-0', count }
}
