import { createServer, type ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createArrivals } from '../wait'
import { closeServer, listenOnLoopback } from '../wire/loopback'
import { openRawHttp, rawGet } from '../wire/raw-http'
import { type Nginx, startNginx } from './nginx'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** An upstream whose streams the test writes to, sending `X-Accel-Buffering: no` as the hub does. */
async function streamingUpstream() {
  const streams = createArrivals<ServerResponse>()
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-accel-buffering': 'no' })
    res.flushHeaders()
    streams.push(res)
  })
  const port = await listenOnLoopback(server)
  cleanups.push(() => closeServer(server))
  return { port, next: () => streams.next('a stream on the upstream') }
}

async function nginxIn(port: number, buffering: boolean): Promise<Nginx> {
  const nginx = await startNginx({ upstreamPort: port, buffering, upgrades: 'forbidden' })
  cleanups.push(() => nginx.close())
  return nginx
}

/** The body chunks of one GET, as the client reads them. */
async function read(url: string) {
  const response = await fetch(url)
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  return { next: async () => decoder.decode((await reader.read()).value ?? new Uint8Array()) }
}

describe('startNginx', () => {
  it('buffering: holds a stream without a length, whatever X-Accel-Buffering says, until it ends', async () => {
    const upstream = await streamingUpstream()
    const nginx = await nginxIn(upstream.port, true)
    const body = read(`${nginx.origin}/events`)
    const stream = await upstream.next()
    await new Promise<void>((resolve) => stream.write('data: 1\n\n', () => resolve()))
    stream.end(': end\n\n')
    expect(await (await body).next()).toBe('data: 1\n\n: end\n\n')
  })

  it('reconfigured without buffering: passes each event as it comes', async () => {
    const upstream = await streamingUpstream()
    const nginx = await nginxIn(upstream.port, true)
    await nginx.reconfigure({ buffering: false, upgrades: 'forbidden' })
    const body = read(`${nginx.origin}/events`)
    const stream = await upstream.next()
    stream.write('data: 1\n\n')
    const reader = await body
    expect(await reader.next()).toBe('data: 1\n\n')
    stream.end('data: 2\n\n')
    expect(await reader.next()).toBe('data: 2\n\n')
  })

  it('answers WebSocket upgrades with 403 when they are forbidden', async () => {
    const upstream = await streamingUpstream()
    const nginx = await nginxIn(upstream.port, true)
    const url = `${nginx.origin}/events`
    const raw = await openRawHttp(url, rawGet(url, ['upgrade: websocket', 'connection: upgrade']))
    await raw.waitFor(() => raw.statuses.length > 0)
    expect(raw.statuses).toEqual([403])
    raw.close()
  })
})
