import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startContractServer } from '../src/contract/contract-server'
import type { ContractServer } from '../src/contract/types'

/** Reads one HTTP response of the contract server whole. */
async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers })
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.text(),
  }
}

describe('the contract server', () => {
  let server: ContractServer
  beforeAll(async () => {
    server = await startContractServer()
  })
  afterAll(() => server.close())

  it('plays a stream as an SSE response and records the Last-Event-ID header', async () => {
    const mounted = await server.mount({
      kind: 'stream',
      blocks: ['data: a\n\n', 'id: 1\n\n'],
      after: 'end',
    })
    expect(await get(mounted.url, { 'last-event-id': '7' })).toEqual({
      status: 200,
      type: 'text/event-stream',
      body: 'data: a\n\nid: 1\n\n',
    })
    expect(mounted.received()).toEqual([{ lastEventId: '7' }])
    await server.drained()
  })

  it('records the lastEventId query of a long-poll request', async () => {
    const mounted = await server.mount({ kind: 'stream', blocks: [], after: 'end' })
    await get(`${mounted.url}?transport=long-poll&lastEventId=%C3%A9-9`)
    expect(mounted.received()).toEqual([{ lastEventId: 'é-9' }])
  })

  it('plays a stream over a WebSocket: the hello, `: ok`, a frame per block, then 1000', async () => {
    const mounted = await server.mount({
      kind: 'stream',
      blocks: ['data: a\n\n', 'data: b\n\n'],
      after: 'end',
    })
    const ws = new WebSocket(mounted.url.replace('http:', 'ws:'))
    const frames: string[] = []
    ws.on('message', (data) => frames.push(data.toString()))
    ws.once('open', () => ws.send('{"type":"hello","lastEventId":"42"}'))
    const code = await new Promise<number>((resolve) => ws.once('close', resolve))
    expect({ frames, code }).toEqual({
      frames: [': ok\n\n', 'data: a\n\n', 'data: b\n\n'],
      code: 1000,
    })
    expect(mounted.received()).toEqual([{ lastEventId: '42' }])
  })

  it('answers a status scenario with that status and a body it holds open', async () => {
    const mounted = await server.mount({ kind: 'status', status: 503 })
    const controller = new AbortController()
    const response = await fetch(mounted.url, { signal: controller.signal })
    expect(response.status).toBe(503)
    expect(server.openConnections()).toBe(1)
    controller.abort()
    await server.drained()
  })

  it('writes raw bytes as they are', async () => {
    const mounted = await server.mount({
      kind: 'bytes',
      chunks: [[0xef, 0xbb, 0xbf], 'data: x\n\n'],
    })
    const response = await fetch(mounted.url)
    expect([...new Uint8Array(await response.arrayBuffer())].slice(0, 4)).toEqual([
      0xef, 0xbb, 0xbf, 0x64,
    ])
  })

  it('mounts refused scenarios where nothing listens', async () => {
    const mounted = await server.mount({ kind: 'refused' })
    await expect(fetch(mounted.url)).rejects.toThrow()
  })

  it('counts a held connection until the client lets go, and its drain is bounded', async () => {
    const mounted = await server.mount({ kind: 'silent' })
    const controller = new AbortController()
    const pending = fetch(mounted.url, { signal: controller.signal }).catch(() => undefined)
    await mounted.requested()
    expect(server.openConnections()).toBe(1)
    await expect(server.drained(50)).rejects.toThrow('1 still open')
    controller.abort()
    await pending
    await server.drained()
    expect(server.openConnections()).toBe(0)
  })
})
