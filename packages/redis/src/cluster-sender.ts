import type { RedisLogCluster, RedisLogClusterConnection } from './client'
import { within } from './deadline'
import type { Send } from './link'

const MAX_BACKOFF_MS = 2_000

/**
 * Reply errors that say the cluster's layout is changing (a master failing over; a MOVED
 * that reaches us is one node-redis gave up following): the duplicate is replaced, so it
 * reads the new layout. Other reply errors (NOSCRIPT, a bad
 * argument) are about the command, and every error that is no reply (a timeout, a closed
 * socket) is about the connection.
 */
const LAYOUT_CHANGING = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|MOVED|ASK)\b/
const REPLY = /^[A-Z]+\b/

function replaceAfter(error: unknown): boolean {
  if (!(error instanceof Error)) return true
  return LAYOUT_CHANGING.test(error.message) || !REPLY.test(error.message)
}

/** Commands through a cluster client that is replaced after it failed. */
export interface ClusterSender {
  /** False from a failure until the replacement is connected. */
  readonly ready: boolean
  readonly send: Send
  close(): void
}

interface Generation {
  readonly connection: RedisLogClusterConnection
  connected: Promise<void>
  /** Whether commands may go: connected, or the first one still connecting. */
  ready: boolean
}

/**
 * Sends commands through a duplicate of `cluster`. node-redis learns a new layout only from a
 * `MOVED` reply, and a master that died never sends one: its slots would time out for good.
 * A fresh duplicate reads the layout from the root nodes again, so after a failure the
 * sender replaces its duplicate, after a pause that doubles up to 2 s.
 */
export function clusterSender(
  cluster: RedisLogCluster,
  options: { timeout: number; failed(error: unknown): void },
): ClusterSender {
  let current: Generation | undefined
  let failures = 0
  let closed = false
  let pause: { timer: ReturnType<typeof setTimeout>; resolve(): void } | undefined

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      pause = { timer: setTimeout(resolve, ms), resolve }
    })

  const open = (delay: number, first: boolean): Generation => {
    const connection = cluster.duplicate({ minimizeConnections: true })
    const generation: Generation = { connection, ready: first, connected: Promise.resolve() }
    connection.on('error', () => {})
    // A node's connection failing may be its master dying: replaced at once, not only once a
    // command to it has timed out.
    connection.on('node-error', (error) => replace(generation, error))
    generation.connected = (async () => {
      if (delay > 0) await sleep(delay)
      if (closed) throw new Error('redis log: closed')
      await within(connection.connect(), options.timeout, 'redis log: cluster connect')
      generation.ready = true
    })()
    generation.connected.catch((error: unknown) => replace(generation, error))
    return generation
  }

  function replace(generation: Generation, error: unknown) {
    if (closed || current !== generation) return
    generation.connection.destroy()
    options.failed(error)
    current = open(Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures++), false)
  }

  current = open(0, true)
  return {
    get ready() {
      return current?.ready === true
    },
    async send(key, args, timeout) {
      const generation = current
      if (closed || generation === undefined) throw new Error('redis log: closed')
      await generation.connected
      try {
        // Bounded here: node-redis's own timeout ends once the command is written, and a
        // command to a node still connecting waits for the connection first.
        const reply = await within(
          generation.connection.sendCommand(key, false, [...args], { timeout, typeMapping: {} }),
          timeout,
          'redis log: command',
        )
        failures = 0
        return reply
      } catch (error) {
        if (replaceAfter(error)) replace(generation, error)
        throw error
      }
    },
    close() {
      closed = true
      if (pause !== undefined) {
        clearTimeout(pause.timer)
        pause.resolve()
      }
      current?.connection.destroy()
      current = undefined
    },
  }
}
