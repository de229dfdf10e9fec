// The child process of instances.ts: one server instance on the shared Redis that publishes
// when told to and reports every id and every error, until it is killed.
import { LifelineError } from '@lifeline/core'
import { createHub } from '@lifeline/server'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { redisLog } from '../src/index'
import type { ChildMessage, InstanceOptions, ParentMessage, ReportedError } from './instances'
import { connect } from './redis'

const send = (message: ChildMessage) => process.send?.(message)

const reported = (error: unknown): ReportedError => ({
  code: error instanceof LifelineError ? error.code : 'unknown',
  message: String(error),
})

async function main(): Promise<void> {
  const [url = '', options = '{}'] = process.argv.slice(2)
  const client = await connect({ url })
  const onError = (error: unknown) => send({ kind: 'error', ...reported(error) })
  const log = redisLog({
    client,
    timeout: 2_000,
    onError,
    ...(JSON.parse(options) as InstanceOptions),
  })
  const hub = createHub({ log, retry: 50, heartbeat: 1_000, onError })
  const server = await startHubServer({ hub })
  process.on('message', ({ seq, data }: ParentMessage) => {
    hub.publish('events', { data }).then(
      (id) => send({ kind: 'published', seq, id }),
      (error: unknown) => send({ kind: 'failed', seq, ...reported(error) }),
    )
  })
  // The parent going away ends this process too, so a failed test leaves nothing behind.
  process.on('disconnect', () => process.exit(0))
  send({ kind: 'listening', port: Number(new URL(server.url).port) })
}

void main()
