import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from '@lifeline/core'
import { createHub } from '@lifeline/server'
import { sseFetch } from '@lifeline/sse-fetch'
import { record } from '@lifeline/testkit/scenario/client-recorder'
import { FAST, STREAM } from '@lifeline/testkit/scenario/rig'
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
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(async () => {
      await hub.close()
      await new Promise((resolve) => {
        server.close(resolve)
        server.closeAllConnections()
      })
    })
    const client = createClient({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
      transports: [sseFetch()],
      ...FAST.client,
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
    const retries = seen.retries.length
    // Ten times the longest backoff step: a client that still retried would have by now.
    await new Promise((resolve) => setTimeout(resolve, 10 * FAST.client.backoff.max))
    expect(requests).toBe(2)
    expect(seen.retries.length).toBe(retries)
    expect(client.connection.state).toBe('closed')
  })
})
