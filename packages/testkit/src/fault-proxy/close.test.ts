import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'
import { expect, it } from 'vitest'
import { listenOnLoopback } from '../wire/loopback'
import { createFaultProxy } from './proxy'

// A file of its own: each test file runs in a fresh worker, so no socket of another test
// can open or close while the handles are counted.
// The list is updated by async hooks a turn of the event loop after a handle closed.
const handles = async () => {
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  return process
    .getActiveResourcesInfo()
    .filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout').length
}

it('leaves no socket, server or timer behind when closed', async () => {
  const accepted: Socket[] = []
  const upstream = createServer((socket) => {
    socket.on('error', () => {})
    accepted.push(socket)
    socket.write('held')
  })
  const port = await listenOnLoopback(upstream)
  const before = await handles()

  const proxy = await createFaultProxy({ upstream: { port } })
  proxy.setRule({ path: '/stall' }, { kind: 'stall' })
  proxy.setRule({ path: '/slow' }, { kind: 'latency', ms: 60_000 })
  const clients = ['/stall', '/slow', '/throttle'].map((path) => {
    const socket = connect({ port: proxy.port, host: '127.0.0.1' })
    socket.on('error', () => {})
    socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`)
    return socket
  })
  const [stalled, slow] = await Promise.all([
    proxy.nextRequest({ where: ({ request }) => request.path === '/stall' }),
    proxy.nextRequest({ where: ({ request }) => request.path === '/slow' }),
    proxy.nextRequest({ where: ({ request }) => request.path === '/throttle' }),
  ])
  proxy.connections.at(-1)?.apply({ kind: 'throttle', bytesPerSecond: 1 })
  await stalled?.connection.until((c) => c.pendingDown === 4)
  await slow?.connection.until((c) => c.pendingDown === 4)
  const waiting = proxy.nextConnection({ timeoutMs: 60_000 }).catch(() => 'rejected')
  expect(await handles()).toBeGreaterThan(before)

  await proxy.close()
  expect(await waiting).toBe('rejected')
  expect(proxy.connections).toEqual([])
  for (const socket of [...clients, ...accepted]) {
    socket.destroy()
    if (!socket.closed) await once(socket, 'close')
  }
  expect(await handles()).toBe(before)
  upstream.close()
})
