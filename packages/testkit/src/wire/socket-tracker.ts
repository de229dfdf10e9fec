import type { Socket } from 'node:net'
import { createNotifier, until } from '../wait'

/** The server-side sockets a test watches, to prove a transport released its connection. */
export interface SocketTracker {
  /** Starts watching `socket` until it closes; watching it twice is harmless. */
  track(socket: Socket): void
  readonly size: number
  /** Resolves once no watched socket is open; rejects after `timeoutMs` naming how many are. */
  drained(timeoutMs?: number): Promise<void>
  /** Destroys every watched socket. */
  destroyAll(): void
}

/**
 * Creates a tracker. Servers call `track` for the sockets that count (e.g. only those that
 * carried a request) and tests wait on `drained()` instead of sleeping.
 *
 * @example
 * ```ts
 * const sockets = createSocketTracker()
 * server.on('connection', sockets.track)
 * await sockets.drained()
 * ```
 */
export function createSocketTracker(): SocketTracker {
  const sockets = new Set<Socket>()
  const changes = createNotifier()
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
      await until(() => sockets.size === 0, 'every tracked socket to close', {
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
