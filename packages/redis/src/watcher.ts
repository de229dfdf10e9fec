import type { RedisLogClient, RedisLogCluster, RedisLogMessageListener } from './client'
import { within } from './deadline'
import type { LinkEvents } from './link'

/** Channels per subscribe step when a connection subscribes everything again. */
const BATCH = 1_000
const MAX_BACKOFF_MS = 2_000
/** Ms between liveness checks of an idle wake-up connection. */
const PING_MS = 10_000

/** One wake-up connection, as a watcher drives it. */
export interface Subscriptions {
  connect(): Promise<unknown>
  /** Subscribes up to {@link BATCH} channels; resolves once Redis confirmed them all. */
  subscribe(channels: readonly string[], listener: RedisLogMessageListener): Promise<unknown>
  unsubscribe(channel: string, listener: RedisLogMessageListener): Promise<unknown>
  destroy(): void
  /** Calls `listener` when the connection fails (once it failed, it is replaced). */
  onFailure(listener: (error: unknown) => void): void
  /**
   * Checks the connection answers within `timeout`: a socket whose peer vanished without a
   * FIN never errors by itself, and a connection that only listens would not notice.
   */
  ping?(timeout: number): Promise<unknown>
}

/** A duplicate of a single-node client: one `SSUBSCRIBE` takes a whole batch of channels. */
export function standaloneSubscriptions(client: RedisLogClient): Subscriptions {
  const connection = client.duplicate()
  let failed: (error: unknown) => void = () => {}
  // Always listened to: an 'error' event without a listener would throw.
  connection.on('error', (error) => failed(error))
  return {
    connect: () => connection.connect(),
    subscribe: (channels, listener) => connection.sSubscribe([...channels], listener),
    unsubscribe: (channel, listener) => connection.sUnsubscribe(channel, listener),
    destroy: () => connection.destroy(),
    onFailure(listener) {
      failed = listener
    },
    ping: (timeout) => within(connection.sendCommand(['PING']), timeout, 'redis log: ping'),
  }
}

/**
 * A duplicate of a cluster client that opens nothing but the Pub/Sub connection of each
 * master it subscribes on; channels of different slots need one `SSUBSCRIBE` each.
 */
export function clusterSubscriptions(cluster: RedisLogCluster): Subscriptions {
  const connection = cluster.duplicate({ minimizeConnections: true })
  let failed: (error: unknown) => void = () => {}
  connection.on('error', (error) => failed(error))
  // A node's connection failing may be its master dying: node-redis would go on trying the
  // dead address, so the whole duplicate is replaced and finds the new master.
  connection.on('node-error', (error) => failed(error))
  return {
    connect: () => connection.connect(),
    subscribe: (channels, listener) =>
      Promise.all(channels.map((channel) => connection.sSubscribe(channel, listener))),
    unsubscribe: (channel, listener) => connection.sUnsubscribe(channel, listener),
    destroy: () => {
      connection.destroy()
    },
    onFailure(listener) {
      failed = listener
    },
  }
}

/** Keeps one wake-up connection subscribed to a changing set of channels. */
export interface Watcher {
  /** True when the connection is up: the subscription is on its way. */
  watch(channel: string): boolean
  unwatch(channel: string): void
  close(): void
}

type WatcherState = 'idle' | 'connecting' | 'up' | 'waiting' | 'closed'

/**
 * Starts a watcher. It connects on the first `watch`, subscribes every channel again on each
 * new connection (then tells `watching`, since wake-ups in between are lost), and replaces a
 * failed connection after a pause that doubles up to 2 s.
 */
export function openWatcher(
  open: () => Subscriptions,
  options: { events: LinkEvents; timeout: number; pingMs?: number },
): Watcher {
  const { events, timeout } = options
  const pingMs = options.pingMs ?? PING_MS
  const channels = new Set<string>()
  let state: WatcherState = 'idle'
  let current: Subscriptions | undefined
  /** Counts connections: a late callback of a replaced one is recognised and ignored. */
  let generation = 0
  let failures = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let pinger: ReturnType<typeof setInterval> | undefined
  const listener: RedisLogMessageListener = (message, channel) => events.woken(channel, message)

  const fail = (of: number, error: unknown) => {
    if (of !== generation || state === 'closed') return
    clearInterval(pinger)
    generation++
    current?.destroy()
    current = undefined
    events.failed(error)
    if (channels.size === 0) {
      state = 'idle'
      return
    }
    state = 'waiting'
    timer = setTimeout(connect, Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures++))
  }

  async function connect() {
    timer = undefined
    if (state === 'closed') return
    const of = ++generation
    state = 'connecting'
    const subscriptions = open()
    current = subscriptions
    subscriptions.onFailure((error) => fail(of, error))
    try {
      await within(subscriptions.connect(), timeout, 'redis log: wake-up connect')
      if (of !== generation) return
      // From here `watch` and `unwatch` go straight to the connection, after this snapshot.
      state = 'up'
      const snapshot = [...channels]
      for (let i = 0; i < snapshot.length; i += BATCH) {
        const batch = snapshot.slice(i, i + BATCH)
        await within(subscriptions.subscribe(batch, listener), timeout, 'redis log: subscribe')
        if (of !== generation) return
      }
      failures = 0
      events.watching(snapshot)
      const { ping } = subscriptions
      if (ping !== undefined)
        pinger = setInterval(() => {
          ping(timeout).catch((error: unknown) => fail(of, error))
        }, pingMs)
    } catch (error) {
      fail(of, error)
    }
  }

  return {
    watch(channel) {
      channels.add(channel)
      if (state === 'idle') void connect()
      if (state !== 'up' || current === undefined) return false
      const of = generation
      within(current.subscribe([channel], listener), timeout, 'redis log: subscribe').then(
        () => {
          if (of === generation && channels.has(channel)) events.watched(channel)
        },
        (error: unknown) => fail(of, error),
      )
      return true
    },
    unwatch(channel) {
      if (!channels.delete(channel) || state !== 'up' || current === undefined) return
      // A failure shows on the connection too, and is handled there.
      current.unsubscribe(channel, listener).catch(() => {})
    },
    close() {
      state = 'closed'
      generation++
      clearTimeout(timer)
      clearInterval(pinger)
      current?.destroy()
      current = undefined
      channels.clear()
    },
  }
}
