/**
 * The part of a node-redis client the log uses. A client from `createClient()` of the
 * `redis` package (v5) fits it; the log never connects or closes it, the app does.
 */
export interface RedisLogClient {
  /** Whether the connection is up; while it is not, the log fails at once instead of queueing. */
  readonly isReady: boolean
  /** Sends one raw command. */
  sendCommand(args: readonly string[], options?: RedisCommandOptions): Promise<unknown>
  /** A new, unconnected client with the same options: the log's live loops each get one. */
  duplicate(overrides?: { RESP?: 2 }): RedisLogConnection
}

/** A connection the log opened itself with {@link RedisLogClient.duplicate}. */
export interface RedisLogConnection {
  connect(): Promise<unknown>
  sendCommand(args: readonly string[], options?: RedisCommandOptions): Promise<unknown>
  /** Closes the socket at once; a blocked command rejects. */
  destroy(): void
  on(event: 'error', listener: (error: unknown) => void): unknown
}

/** Per-command options the log passes (a subset of node-redis's `CommandOptions`). */
export interface RedisCommandOptions {
  /** Ms before the command rejects. */
  timeout?: number
  /** Empty: replies as plain strings and arrays whatever the app's client maps them to. */
  typeMapping?: Record<never, never>
}
