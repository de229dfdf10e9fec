import { createServer } from 'node:http'
import { createHub, type Hub, type HubOptions } from '@lifeline/server'
import { closeServer, listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { postCommand } from './minimal-server'

/** @lifeline/server on 127.0.0.1 with the hooks the check is told about. */
export interface HubUnderTest {
  url: string
  wsUrl: string
  /** Publishes one event on the stream. */
  publishCommand: string
  /** `hub.close()` (the close event to everyone), then a new hub: a fresh log unless given one. */
  restartCommand: string
  close(): Promise<void>
}

/**
 * Serves `hub.sse` and `hub.attach` on `/events`, and the hooks under `/control/`. A hub
 * given a `log` keeps it across the restart, as a server on a durable log (Redis) does.
 */
export async function startHubUnderTest(options: HubOptions): Promise<HubUnderTest> {
  let hub: Hub = createHub(options)
  let published = 0
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path === '/events') return hub.sse(req, res, { stream: 'events' })
    if (req.method !== 'POST') return void res.writeHead(404).end()
    if (path === '/control/publish') {
      published++
      hub.publish('events', { type: 'tick', data: `tick ${published}` }).then(
        () => res.writeHead(204).end(),
        () => res.writeHead(500).end(),
      )
    } else if (path === '/control/restart') void restart().then(() => res.writeHead(204).end())
    else res.writeHead(404).end()
  })
  const attach = () => hub.attach(server, { path: '/events', stream: () => 'events' })
  let detach = attach()
  // New requests reach the new hub at once; the old one says goodbye to its clients.
  const restart = async () => {
    const old = hub
    detach()
    hub = createHub(options)
    detach = attach()
    await old.close({ reconnect: true })
  }
  const port = await listenOnLoopback(server)
  const control = (name: string) => postCommand(`http://127.0.0.1:${port}/control/${name}`)
  return {
    url: `http://127.0.0.1:${port}/events`,
    wsUrl: `ws://127.0.0.1:${port}/events`,
    publishCommand: control('publish'),
    restartCommand: control('restart'),
    async close() {
      await hub.close()
      await closeServer(server)
    },
  }
}
