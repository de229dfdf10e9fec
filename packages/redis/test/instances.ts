import type { AddressInfo, Socket } from 'node:net'
import { createClient, type Client as LifelineClient, type StreamEvent } from '@lifeline/core'
import { createHub, type Hub } from '@lifeline/server'
import { sseFetch } from '@lifeline/sse-fetch'
import { startHubServer } from '@lifeline/testkit/hub-server'
import { websocket } from '@lifeline/websocket'
import { type RedisLog, redisLog } from '../src/index'
import { type Client, connect, type RedisServer } from './redis'

/** One server instance: its own Redis connection, log, hub and http server on 127.0.0.1. */
export interface Instance {
  readonly name: string
  readonly port: number
  readonly hub: Hub
  readonly log: RedisLog
  readonly client: Client
  readonly errors: unknown[]
  /** Drops every socket at once and stops, as a crashed process would: no close event. */
  kill(): Promise<void>
  /** A graceful stop for cleanup; idempotent. */
  close(): Promise<void>
}

export async function startInstance(
  name: string,
  redis: RedisServer,
  options: { maxLen?: number } = {},
): Promise<Instance> {
  const client = await connect(redis)
  const errors: unknown[] = []
  const log = redisLog({
    client,
    timeout: 2_000,
    onError: (error) => errors.push(error),
    ...options,
  })
  const hub = createHub({
    log,
    retry: 50,
    heartbeat: 1_000,
    onError: (error) => errors.push(error),
  })
  const server = await startHubServer({ hub })
  // Upgraded WebSocket sockets leave the http server's bookkeeping: track every socket.
  const sockets = new Set<Socket>()
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  let stopped: Promise<void> | undefined
  const stop = (crash: boolean) => {
    stopped ??= (async () => {
      if (crash) {
        for (const socket of sockets) socket.destroy()
        server.server.close()
      } else await server.close({ timeout: 200 })
      await log.close()
      await client.close()
    })()
    return stopped
  }
  return {
    name,
    port: (server.server.address() as AddressInfo).port,
    hub,
    log,
    client,
    errors,
    kill: () => stop(true),
    close: () => stop(false),
  }
}

export type TransportName = 'sse-fetch' | 'websocket'

/** A Lifeline client with every event and connection event it emitted, and bounded waits. */
export function startClient(url: string, transport: TransportName) {
  const client: LifelineClient = createClient({
    url,
    transports: [transport === 'sse-fetch' ? sseFetch() : websocket()],
    backoff: { initial: 20, max: 100 },
  })
  const events: StreamEvent[] = []
  const gaps: unknown[] = []
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
  }
}
