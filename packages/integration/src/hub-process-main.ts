// The child process of hub-process.ts: a hub server on 127.0.0.1 that publishes when told
// to and reports every id, until it is killed.
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import type { ChildMessage, ParentMessage } from './hub-process'

const send = (message: ChildMessage) => process.send?.(message)

async function main(): Promise<void> {
  const server = await startHubServer({ hubOptions: { heartbeat: 100, retry: 20 } })
  process.on('message', async (message: ParentMessage) => {
    const interval = 1_000 / message.perSecond
    const start = performance.now()
    for (let seq = 1; seq <= message.total; seq++) {
      const wait = start + (seq - 1) * interval - performance.now()
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait))
      const id = await server.hub.publish('events', { data: String(seq) })
      send({ kind: 'id', seq, id })
    }
    send({ kind: 'done' })
  })
  // The parent going away ends this process too, so a failed test leaves nothing behind.
  process.on('disconnect', () => process.exit(0))
  send({ kind: 'listening', port: Number(new URL(server.url).port) })
}

void main()
