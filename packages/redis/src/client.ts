/**
 * The part of a node-redis client the log uses. A client from `createClient()` of the
 * `redis` package (v5) fits it; the log never connects or closes it, the app does.
 */
export interface RedisLogClient {
  /** Whether the connection is up; while it is not, the log fails at once instead of queueing. */
  readonly isReady: boolean
  /** Sends one raw command. */
  sendCommand(args: readonly string[], options?: RedisCommandOptions): Promise<unknown>
  /** A new, unconnected client with the same options: the log's wake-up connections. */
  duplicate(): RedisLogConnection
}

/**
 * The part of a node-redis cluster client (`createCluster()` of `redis` v5) the log uses. The
 * log sends its commands through duplicates it replaces after a failure, because node-redis
 * keeps a dead master's slots until a `MOVED` reply says otherwise, which a master that died
 * never sends; the app connects and closes its own.
 */
export interface RedisLogCluster {
  /** Sends one raw command to the master of `firstKey`'s slot. */
  sendCommand: RedisLogClusterConnection['sendCommand']
  /** A new, unconnected cluster client with the same options. */
  duplicate(overrides?: { minimizeConnections?: boolean }): RedisLogClusterConnection
  /** The masters as the client knows them (tells a cluster client from a single one). */
  readonly masters: readonly unknown[]
}

/** Called with every message of a channel subscribed with `sSubscribe`. */
export type RedisLogMessageListener = (message: string, channel: string) => unknown

/** A connection the log opened itself with {@link RedisLogClient.duplicate}. */
export interface RedisLogConnection {
  connect(): Promise<unknown>
  /** Subscribes to sharded Pub/Sub channels (`SSUBSCRIBE`); resolves once Redis confirmed. */
  sSubscribe(channels: string | string[], listener: RedisLogMessageListener): Promise<void>
  sUnsubscribe(channels: string | string[], listener?: RedisLogMessageListener): Promise<void>
  /** Sends one raw command: the log's `PING`, which finds a connection that died silently. */
  sendCommand(args: readonly string[], options?: RedisCommandOptions): Promise<unknown>
  /** Closes the socket at once; a pending command rejects. */
  destroy(): void
  on(event: 'error', listener: (error: unknown) => void): unknown
}

/** A cluster client the log opened itself with {@link RedisLogCluster.duplicate}. */
export interface RedisLogClusterConnection {
  connect(): Promise<unknown>
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: RedisCommandOptions,
  ): Promise<unknown>
  /** Subscribes on the master of the channel's slot; resolves once it confirmed. */
  sSubscribe(channels: string, listener: RedisLogMessageListener): Promise<void>
  sUnsubscribe(channels: string, listener?: RedisLogMessageListener): Promise<void>
  destroy(): unknown
  /** `node-error`: a connection to one node failed (it may have died). */
  on(event: 'error' | 'node-error', listener: (error: unknown) => void): unknown
}

/** Per-command options the log passes (a subset of node-redis's `CommandOptions`). */
export interface RedisCommandOptions {
  /** Ms before the command rejects. */
  timeout?: number
  /** Empty: replies as plain strings and arrays whatever the app's client maps them to. */
  typeMapping?: Record<never, never>
}
