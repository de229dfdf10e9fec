import { hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { openRawPipe, positionsOf, RAW_PIPES } from '@lifeline/testkit/wire/raw-pipe'
import { openRawSse } from '@lifeline/testkit/wire/raw-sse-reader'
import { openRawWs, UpgradeRefused } from '@lifeline/testkit/wire/raw-ws-reader'
import { stalledWebSocket } from '@lifeline/testkit/wire/stalled-clients'
import { describe, expect, it } from 'vitest'

const start = hubServersPerTest()

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof UpgradeRefused ? error.status : error),
  )

describe.each(RAW_PIPES)('heartbeats over %s', (pipe) => {
  it('arrive on an idle stream as comments', async () => {
    const server = await start({ hubOptions: { heartbeat: 30 } })
    const reader = await openRawPipe(pipe, server)
    await reader.waitFor(
      (items) => items.filter((i) => i.kind === 'comment' && i.text.trim() === '').length >= 2,
    )
    expect(reader.events).toEqual([])
    reader.close()
  })
})

describe('WebSocket pipe', () => {
  it('accepts with a first frame of its own, then sends the stream as SSE text', async () => {
    const server = await start()
    const [id] = [await server.hub.publish('events', { data: 'x' })]
    const reader = await openRawWs(server.wsUrl)
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(reader.frames[0]).toBe(': ok\n\n')
    expect(reader.frames.slice(1).join('')).toBe(`retry: 1000\n\nid: ${id}\n\n`)
    reader.close()
  })

  it('packs several ready events into one frame of complete blocks', async () => {
    const server = await start()
    const reader = await openRawWs(server.wsUrl)
    await reader.waitFor((items) => positionsOf(items).length > 0)
    const before = reader.frames.length
    // Not awaited one by one: they are ready together and leave in few frames.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => server.hub.publish('events', { data: String(i) })),
    )
    await reader.waitForEvents(200)
    const frames = reader.frames.slice(before)
    expect(frames.length).toBeLessThan(200)
    for (const frame of frames) expect(frame.endsWith('\n\n')).toBe(true)
    expect(reader.events.map((e) => e.data)).toEqual(
      Array.from({ length: 200 }, (_, i) => String(i)),
    )
    reader.close()
  })

  it('answers a {"type":"ping"} frame with a : pong comment frame', async () => {
    const server = await start()
    const reader = await openRawWs(server.wsUrl)
    await reader.waitFor((items) => positionsOf(items).length > 0)
    reader.send({ type: 'ping' })
    await reader.waitFor(() => reader.frames.includes(': pong\n\n'))
    reader.close()
  })

  it('resumes from the lastEventId of the hello frame', async () => {
    const server = await start()
    const first = await server.hub.publish('events', { data: 'a' })
    const second = await server.hub.publish('events', { data: 'b' })
    const reader = await openRawWs(server.wsUrl, { hello: { type: 'hello', lastEventId: first } })
    await reader.waitForEvents(1)
    expect(reader.events[0]?.id).toBe(second)
    reader.close()
  })

  it('terminates a peer that stops answering protocol pings, and keeps one that answers', async () => {
    // 1 s ticks: a live peer has a whole second to pong, even on a busy machine, and the
    // dead one stays registered for at least a tick, long enough to be seen.
    const server = await start({ hubOptions: { heartbeat: 1_000 } })
    const alive = await openRawWs(server.wsUrl)
    await alive.waitFor((items) => positionsOf(items).length > 0)
    const dead = stalledWebSocket(server.wsUrl)
    await expect.poll(() => server.hub.stats().clients).toBe(2)
    // Two heartbeat ticks: a ping, then no pong by the next one.
    await expect.poll(() => server.hub.stats().clients, { timeout: 5_000 }).toBe(1)
    // Two more ticks: two more pings reach the live peer, which keeps answering.
    await alive.waitForPings(alive.pings + 2)
    expect(server.hub.stats().clients).toBe(1)
    expect(alive.ended).toBe(false)
    dead.destroy()
    alive.close()
  })

  it('closes a connection that sends no hello within helloTimeout', async () => {
    const server = await start({ hubOptions: { helloTimeout: 50 } })
    const reader = await openRawWs(server.wsUrl, { hello: false })
    const closed = await reader.waitForClose()
    expect(closed).toEqual({ code: 1008, reason: 'hello timeout' })
    expect(reader.frames).toEqual([])
  })

  it.each([true, {}, { id: '1' }])(
    'answers a hello whose lastEventId is %j (not an id) with reset, as SSE does',
    async (lastEventId) => {
      const server = await start()
      const head = await server.hub.publish('events', { data: 'x' })
      const hello = JSON.stringify({ type: 'hello', lastEventId })
      const reader = await openRawWs(server.wsUrl, { hello })
      await reader.waitFor((items) => positionsOf(items).length > 0)
      expect(reader.items.filter((i) => i.kind !== 'comment')).toEqual([
        { kind: 'retry', ms: 1000 },
        { kind: 'event', type: 'reset', data: '', id: undefined },
        { kind: 'id', id: head },
      ])
      reader.close()
    },
  )

  it('connects a hello whose lastEventId is null fresh, without reset', async () => {
    const server = await start()
    const head = await server.hub.publish('events', { data: 'x' })
    const reader = await openRawWs(server.wsUrl, { hello: '{"type":"hello","lastEventId":null}' })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(reader.items.filter((i) => i.kind !== 'comment')).toEqual([
      { kind: 'retry', ms: 1000 },
      { kind: 'id', id: head },
    ])
    reader.close()
  })

  it('closes a connection whose first frame is not a hello', async () => {
    const server = await start()
    const reader = await openRawWs(server.wsUrl, { hello: 'hi' })
    expect((await reader.waitForClose()).code).toBe(1002)
  })

  it('accepts an upgrade without Origin or from the same host', async () => {
    const server = await start()
    const same = await openRawWs(server.wsUrl, { origin: server.origin })
    await same.waitFor((items) => positionsOf(items).length > 0)
    same.close()
    const none = await openRawWs(server.wsUrl)
    await none.waitFor((items) => positionsOf(items).length > 0)
    none.close()
  })

  it('refuses a foreign Origin with 403 unless the origins option allows it', async () => {
    const server = await start()
    expect(await refusal(openRawWs(server.wsUrl, { origin: 'http://evil.test' }))).toBe(403)
    const open = await start({ hubOptions: { origins: ['http://app.test'] } })
    const reader = await openRawWs(open.wsUrl, { origin: 'http://app.test' })
    await reader.waitFor((items) => positionsOf(items).length > 0)
    reader.close()
    expect(await refusal(openRawWs(open.wsUrl, { origin: 'http://evil.test' }))).toBe(403)
  })

  it('accepts a page of a rebound name as same-host, and refuses it with 403 under allowedHosts', async () => {
    // DNS rebinding: the attacker's name resolves to this server, so Origin and Host agree.
    const rebound = (wsUrl: string) => {
      const host = `rebind.attacker.test:${new URL(wsUrl).port}`
      return openRawWs(wsUrl, { origin: `http://${host}`, headers: { host } })
    }
    const open = await start()
    const reader = await rebound(open.wsUrl)
    await reader.waitFor((items) => positionsOf(items).length > 0)
    reader.close()
    const guarded = await start({ hubOptions: { allowedHosts: ['127.0.0.1'] } })
    expect(await refusal(rebound(guarded.wsUrl))).toBe(403)
    const listed = await openRawWs(guarded.wsUrl, { origin: guarded.origin })
    await listed.waitFor((items) => positionsOf(items).length > 0)
    listed.close()
  })

  it('refuses upgrades past maxClients with 503', async () => {
    const server = await start({ hubOptions: { maxClients: 1 } })
    const reader = await openRawWs(server.wsUrl)
    await reader.waitFor((items) => positionsOf(items).length > 0)
    expect(await refusal(openRawWs(server.wsUrl))).toBe(503)
    reader.close()
  })

  it('counts upgrades still waiting for their hello toward maxClients, on both pipes', async () => {
    const server = await start({ hubOptions: { maxClients: 2 } })
    const silent = await Promise.all([
      openRawWs(server.wsUrl, { hello: false }),
      openRawWs(server.wsUrl, { hello: false }),
    ])
    expect(await refusal(openRawWs(server.wsUrl))).toBe(503)
    // The SSE pipe counts them too.
    const sse = await openRawSse(server.url)
    expect(sse.status).toBe(503)
    sse.close()
    for (const reader of silent) reader.close()
    await Promise.all(silent.map((reader) => reader.waitForClose()))
    await expect
      .poll(() => refusal(openRawWs(server.wsUrl).then((reader) => reader.close())))
      .toBeUndefined()
  })
})
