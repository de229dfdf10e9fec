import { once } from 'node:events'
import type { Server as HttpServer } from 'node:http'
import { createServer, type Server } from 'node:net'

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

/**
 * A port on 127.0.0.1 the OS says is free now: bound at port 0, read, and closed again.
 * Nothing listens there until someone takes it, so a connect is refused.
 *
 * @example
 * ```ts
 * const port = await freeLoopbackPort()
 * ```
 */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer()
  const port = await listenOnLoopback(server)
  server.close()
  await once(server, 'close')
  return port
}

/**
 * Stops `server` listening and drops every connection it holds (streams never end on their
 * own), resolving once it has closed.
 *
 * @example
 * ```ts
 * cleanups.push(() => closeServer(server))
 * ```
 */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
