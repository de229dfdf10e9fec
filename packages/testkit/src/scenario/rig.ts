import { type Client, type ClientOptions, createClient } from '@lifeline/core'
import type { HubOptions } from '@lifeline/server'
import { createFaultProxy, type FaultProxy } from '../fault-proxy/proxy'
import { type HubServer, startHubServer } from '../servers/hub-server'
import { type Recorder, record } from './client-recorder'

/** The stream every rig publishes to (the hub server's default). */
export const STREAM = 'events'

/**
 * Short timings for scenarios: milliseconds, not the production defaults. The hub's `retry:`
 * hint replaces `backoff.initial`, so it is set as small as the backoff.
 */
export const FAST = {
  hub: { heartbeat: 100, retry: 20 },
  client: {
    backoff: { initial: 20, max: 100 },
    connectTimeout: 1_000,
    firstByteTimeout: 300,
    heartbeatTimeout: 500,
  },
} as const

/**
 * Options of {@link startRig}.
 *
 * @example
 * ```ts
 * const rig = await startRig({ client: { transports: [sseFetch(), websocket()] }, seed: 4 })
 * ```
 */
export interface RigOptions {
  /** The client's options but its url (it points at the proxy). */
  client: Omit<ClientOptions, 'url'>
  /** Hub options; default {@link FAST}`.hub`. */
  hub?: HubOptions
  /** The proxy's seed. Default 1. */
  seed?: number
}

/** A hub server, a fault proxy in front of it, and a client of the proxy, recorded. */
export interface Rig {
  server: HubServer
  proxy: FaultProxy
  client: Client
  seen: Recorder
  /** Publishes event `seq` (its data is the number) to the stream; resolves with its id. */
  publish(seq: number): Promise<string>
  /**
   * Resolves once the client holds a position: a fresh client gets live events only, so
   * publishing before then would lose events by design, not by fault.
   */
  positioned(): Promise<void>
  /** Closes the client, the proxy and the server. */
  close(): Promise<void>
}

/**
 * Starts a hub server, a fault proxy in front of it and a client of the proxy.
 *
 * @example
 * ```ts
 * const rig = await startRig({ client: { transports: [sseFetch()], ...FAST.client } })
 * await rig.positioned()
 * await rig.publish(1)
 * await rig.close()
 * ```
 */
export async function startRig(options: RigOptions): Promise<Rig> {
  const server = await startHubServer({ hubOptions: options.hub ?? FAST.hub })
  const proxy = await createFaultProxy({
    upstream: { port: Number(new URL(server.url).port) },
    seed: options.seed ?? 1,
  })
  const client = createClient({ ...options.client, url: `${proxy.url}/events` })
  const seen = record(client)
  return {
    server,
    proxy,
    client,
    seen,
    publish: (seq) => server.hub.publish(STREAM, { data: String(seq) }),
    positioned: () =>
      seen.until(() => client.connection.lastEventId !== undefined, 'the position block'),
    async close() {
      client.close()
      seen.detach()
      await proxy.close()
      await server.close()
    },
  }
}
