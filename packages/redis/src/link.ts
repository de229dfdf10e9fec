import type { RedisLogClient, RedisLogCluster } from './client'
import { clusterSender } from './cluster-sender'
import { within } from './deadline'
import { clusterSubscriptions, openWatcher, standaloneSubscriptions, type Watcher } from './watcher'

/** Sends one command about `key` (a cluster routes it by the key's slot); rejects on failure. */
export type Send = (key: string, args: readonly string[], timeout: number) => Promise<unknown>

/** What the link tells the live loops. */
export interface LinkEvents {
  /** A wake-up on `channel`: the stream of that key has a new entry, `message` is its id. */
  woken(channel: string, message: string): void
  /** Wake-ups of `channel` flow from now on: its subscription is confirmed. */
  watched(channel: string): void
  /**
   * A wake-up connection was opened again and `channels` subscribed anew: wake-ups sent while
   * it was down are lost, so every stream among them must look for itself.
   */
  watching(channels: readonly string[]): void
  /** A wake-up connection or a command failed: Redis may be unavailable. */
  failed(error: unknown): void
}

/**
 * How the log reaches Redis: commands, and a fixed set of wake-up connections however many
 * streams are watched.
 */
export interface Link {
  /** False while commands are known not to go through: callers fail at once instead of queueing. */
  readonly ready: boolean
  readonly send: Send
  /**
   * Starts the wake-ups of one stream key. True when its wake-up connection is up, so that
   * `watched` (or, if it fails, `failed`) follows within a round trip.
   */
  watch(channel: string): boolean
  unwatch(channel: string): void
  /** Closes every connection the link opened; the app's client stays open. */
  close(): void
}

export interface LinkOptions {
  /** Wake-up connections (per node of a cluster). */
  connections: number
  /** Ms a connect or subscribe may take. */
  timeout: number
  events: LinkEvents
}

/** Whether `client` is a node-redis cluster client rather than a single-node one. */
export function isCluster(client: RedisLogClient | RedisLogCluster): client is RedisLogCluster {
  return 'masters' in client
}

/** FNV-1a over UTF-16 code units: spreads channels over the wake-up connections. */
function spread(channel: string, buckets: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < channel.length; i++)
    hash = Math.imul(hash ^ channel.charCodeAt(i), 0x01000193) >>> 0
  return hash % buckets
}

/**
 * Opens the link: on a single Redis, commands go through the app's client and wake-ups come
 * through `connections` duplicates of it; on a cluster, commands go through a duplicate the
 * link replaces after a failure, and each wake-up connection is a duplicate cluster client
 * (one Pub/Sub connection per master).
 */
export function openLink(client: RedisLogClient | RedisLogCluster, options: LinkOptions): Link {
  const { events, timeout } = options
  let watchers: Watcher[]
  let ready: () => boolean
  let send: Send
  let closeSender = () => {}
  if (isCluster(client)) {
    const sender = clusterSender(client, { timeout, failed: events.failed })
    send = sender.send
    ready = () => sender.ready
    closeSender = sender.close
    watchers = Array.from({ length: options.connections }, () =>
      openWatcher(() => clusterSubscriptions(client), { events, timeout }),
    )
  } else {
    // Never queued while the client is down: a queued command would hold its close() open.
    // node-redis's own timeout ends once the command is written, so the wait for the answer
    // is bounded here.
    send = (_key, args, ms) =>
      client.isReady
        ? within(
            client.sendCommand(args, { timeout: ms, typeMapping: {} }),
            ms,
            'redis log: command',
          )
        : Promise.reject(new Error('the client is not connected'))
    ready = () => client.isReady
    watchers = Array.from({ length: options.connections }, () =>
      openWatcher(() => standaloneSubscriptions(client), { events, timeout }),
    )
  }
  const watcherOf = (channel: string) => watchers[spread(channel, watchers.length)]!
  return {
    get ready() {
      return ready()
    },
    send,
    watch: (channel) => watcherOf(channel).watch(channel),
    unwatch: (channel) => watcherOf(channel).unwatch(channel),
    close() {
      for (const watcher of watchers) watcher.close()
      closeSender()
    },
  }
}
