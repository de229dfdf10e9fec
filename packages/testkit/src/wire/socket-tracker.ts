import type { Socket } from 'node:net'

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
  let waiters: (() => void)[] = []
  return {
    track(socket) {
      if (sockets.has(socket)) return
      sockets.add(socket)
      socket.once('close', () => {
        sockets.delete(socket)
        if (sockets.size > 0) return
        const wake = waiters
        waiters = []
        for (const resolve of wake) resolve()
      })
    },
    get size() {
      return sockets.size
    },
    drained(timeoutMs = 5_000) {
      if (sockets.size === 0) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== done)
          reject(new Error(`${sockets.size} socket(s) still open after ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.push(done)
      })
    },
    destroyAll() {
      for (const socket of sockets) socket.destroy()
    },
  }
}
