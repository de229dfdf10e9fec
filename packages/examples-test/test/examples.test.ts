import { type Client, type ConnectionEvents, createClient, type StreamEvent } from '@lifeline/core'
import type { Hub } from '@lifeline/server'
import { sseFetch } from '@lifeline/sse-fetch'
import { websocket } from '@lifeline/websocket'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { GET } from '../../../examples/next-route/app/events/route.mjs'
import { POST } from '../../../examples/next-route/app/publish/route.mjs'
import * as hubModule from '../../../examples/next-route/lib/hub.mjs'

/** What every example's `start(port)` resolves with. */
interface Example {
  url: string
  publishUrl: string
  hub: Hub
  close(): Promise<void>
}

const examples: { name: string; start: (port: number) => Promise<Example> }[] = [
  { name: 'node-http', ...(await import('../../../examples/node-http/server.mjs')) },
  { name: 'express', ...(await import('../../../examples/express/server.mjs')) },
  { name: 'fastify', ...(await import('../../../examples/fastify/server.mjs')) },
  { name: 'hono', ...(await import('../../../examples/hono/server.mjs')) },
]

const pipes = { 'sse-fetch': () => sseFetch(), websocket: () => websocket() }

/** Waits for `done`, checked every 10 ms, for at most `timeoutMs`. */
async function until(what: string, done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A client that records its events and state changes; resolves once it holds a position. */
async function follow(options: Parameters<typeof createClient>[0]) {
  const client = createClient({ backoff: { initial: 50, max: 200 }, ...options })
  const events: StreamEvent[] = []
  const states: ConnectionEvents['state'][] = []
  client.on('*', (_type, event) => events.push(event))
  client.connection.on('state', (change) => states.push(change))
  // The position block comes right after acceptance: from then on no publish is missed.
  await until('position block', () => client.connection.lastEventId !== undefined)
  return { client, events, states }
}

async function closed(client: Client, hub: Hub): Promise<void> {
  client.close()
  await until('the server letting the connection go', () => hub.stats().clients === 0)
}

describe.each(examples)('the $name example', ({ start }) => {
  let example: Example
  beforeAll(async () => {
    example = await start(0)
  })
  afterAll(() => example?.close())

  const publish = async (data: string) => {
    const response = await fetch(example.publishUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: data,
    })
    expect(response.status).toBe(200)
    return ((await response.json()) as { id: string }).id
  }

  for (const [pipe, transport] of Object.entries(pipes)) {
    it(`delivers what POST /publish publishes over ${pipe}, and replays what a client missed`, async () => {
      const first = await follow({ url: example.url, transports: [transport()] })
      for (const data of ['1', '2', '3']) await publish(data)
      await until('three events', () => first.events.length === 3)
      expect(first.events.map((e) => [e.type, e.data, e.transport])).toEqual([
        ['price', '1', pipe],
        ['price', '2', pipe],
        ['price', '3', pipe],
      ])
      const resumeFrom = first.client.connection.lastEventId
      await closed(first.client, example.hub)

      // Published while no client listens: only the resume (Last-Event-ID, or the hello on
      // WebSocket) through the framework can bring them.
      const last = [await publish('4'), await publish('5')].at(-1)
      const second = await follow({
        url: example.url,
        transports: [transport()],
        lastEventId: resumeFrom,
      })
      await until('two replayed events', () => second.events.length === 2)
      expect(second.events.map((e) => e.data)).toEqual(['4', '5'])
      expect(second.client.connection.lastEventId).toBe(last)
      await closed(second.client, example.hub)
    })
  }

  it('answers another path with 404', async () => {
    const response = await fetch(new URL('/nothing', example.url))
    expect(response.status).toBe(404)
  })

  it('ends open streams with the close event on shutdown, on both pipes', async () => {
    const clients = await Promise.all(
      Object.values(pipes).map((transport) =>
        follow({ url: example.url, transports: [transport()] }),
      ),
    )
    await example.close()
    await until('both clients told', () =>
      clients.every(({ states }) => states.some((s) => s.reason?.kind === 'server-close')),
    )
    for (const { client } of clients) client.close()
  })
})

const routeHub = hubModule.hub

describe('the Next.js-style route handlers, driven through Web Requests', () => {
  afterAll(() => routeHub.close())
  // The client's fetch goes straight to the route module: no server, as Next.js would call it.
  const route = (input: RequestInfo | URL, init?: RequestInit) =>
    Promise.resolve(GET(new Request(input, init)))
  const publish = (room: string, data: string) =>
    POST(new Request(`http://localhost/publish?room=${room}`, { method: 'POST', body: data }))

  it('streams a room with GET, publishes with POST, and resumes with Last-Event-ID', async () => {
    const url = 'http://localhost/events?room=a'
    const first = await follow({ url, transports: [sseFetch({ fetch: route })] })
    for (const data of ['1', '2']) expect((await publish('a', data)).status).toBe(200)
    await publish('b', 'another room')
    await until('two events', () => first.events.length === 2)
    expect(first.events.map((e) => [e.type, e.data, e.transport])).toEqual([
      ['message', '1', 'sse-fetch'],
      ['message', '2', 'sse-fetch'],
    ])
    const resumeFrom = first.client.connection.lastEventId
    await closed(first.client, routeHub)

    await publish('a', '3')
    const second = await follow({
      url,
      transports: [sseFetch({ fetch: route })],
      lastEventId: resumeFrom,
    })
    await until('the replayed event', () => second.events.length === 1)
    expect(second.events.map((e) => e.data)).toEqual(['3'])
    await closed(second.client, routeHub)
  })

  it('keeps one hub across module evaluations, as Next.js dev reloads them', async () => {
    vi.resetModules()
    const again = await import('../../../examples/next-route/lib/hub.mjs')
    expect(again).not.toBe(hubModule) // evaluated again
    expect(again.hub).toBe(routeHub)
  })
})
