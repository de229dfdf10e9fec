import { once } from 'node:events'
import type { Server as HttpServer } from 'node:http'
import { createServer, type Server, type Socket } from 'node:net'
import { createChanges, until } from '../wait'

/** Starts `server` on 127.0.0.1 at a port the OS picks, and resolves with that port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('not a TCP server')
  return address.port
}

/** A port on 127.0.0.1 that is free now (bound, read, closed): a connect there is refused. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer()
  const port = await listenOnLoopback(server)
  server.close()
  await once(server, 'close')
  return port
}

/** Stops `server` and drops every connection it holds, resolving once it has closed. */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/** The server-side sockets that count, to prove a transport released its connection. */
export interface SocketTracker {
  /** Watches `socket` until it closes; watching it twice is harmless. */
  track(socket: Socket): void
  readonly size: number
  /** Resolves once no watched socket is open; rejects after `timeoutMs` naming how many are. */
  drained(timeoutMs?: number): Promise<void>
  destroyAll(): void
}

/** Creates a {@link SocketTracker}. */
export function createSocketTracker(): SocketTracker {
  const sockets = new Set<Socket>()
  const changes = createChanges()
  return {
    track(socket) {
      if (sockets.has(socket)) return
      sockets.add(socket)
      socket.once('close', () => {
        sockets.delete(socket)
        changes.notify()
      })
    },
    get size() {
      return sockets.size
    },
    async drained(timeoutMs) {
      await until(() => (sockets.size === 0 ? true : undefined), 'every connection to close', {
        wake: changes.wake,
        timeoutMs,
        detail: () => `${sockets.size} still open`,
      })
    },
    destroyAll() {
      for (const socket of sockets) socket.destroy()
    },
  }
}
