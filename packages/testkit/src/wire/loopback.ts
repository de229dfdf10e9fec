import { once } from 'node:events'
import type { Server } from 'node:net'

/**
 * Starts `server` listening on 127.0.0.1 at a port the OS picks, and resolves with that
 * port: every test server here listens on loopback only.
 *
 * @example
 * ```ts
 * const port = await listenOnLoopback(http.createServer(handler))
 * ```
 */
export async function listenOnLoopback(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('not a TCP server')
  return address.port
}
