import { createServer } from 'node:http'
import { createClient } from '@lifeline/core'
import { createHub } from '@lifeline/server'
import { sseFetch } from '@lifeline/sse-fetch'
import { trackedClock } from '@lifeline/testkit/doubles/tracked-clock'
import { record } from '@lifeline/testkit/scenario/client-recorder'
import { FAST, STREAM } from '@lifeline/testkit/scenario/rig'
import { closeServer, listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { afterEach, describe, expect, it } from 'vitest'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('scenario 7: HTTP 204 No Content', () => {
  it('stops the client for good: state closed, and no request reaches the server again', async () => {
    const hub = createHub(FAST.hub)
    let requests = 0
    let answer204 = false
    const server = createServer((req, res) => {
      requests++
      if (answer204) res.writeHead(204).end()
      else hub.sse(req, res, { stream: STREAM })
    })
    const port = await listenOnLoopback(server)
    cleanups.push(async () => {
      await hub.close()
      await closeServer(server)
    })
    const clock = trackedClock()
    const client = createClient({
      url: `http://127.0.0.1:${port}/events`,
      transports: [sseFetch()],
      ...FAST.client,
      environment: { clock },
    })
    cleanups.push(() => client.close())
    const seen = record(client)
    await seen.until(() => client.connection.lastEventId !== undefined, 'the position block')
    const id = await hub.publish(STREAM, { data: 'before' })
    await seen.until(() => seen.events.length === 1, 'the first event')

    answer204 = true
    server.closeAllConnections()
    await seen.until(() => client.connection.state === 'closed', 'the client to stop')

    expect(seen.events.map((e) => e.id)).toEqual([id])
    expect(seen.states.at(-1)?.event).toEqual({
      from: 'reconnecting',
      to: 'closed',
      reason: { kind: 'no-content' },
    })
    expect(requests).toBe(2)
    // Nothing is scheduled, neither a retry nor a watchdog, and no transport is open: no
    // request can ever follow, however long one waited.
    expect(clock.pending()).toEqual([])
    // The one backoff wait was the one between the cut and the request answered 204.
    expect(seen.retries).toHaveLength(1)
    expect(client.connection.state).toBe('closed')
  })
})
