import { describe, expect, expectTypeOf, it } from 'vitest'
import { WebSocket as WsWebSocket } from 'ws'
import { isEmitterSocket, resolveWebSocket, type WebSocketConstructor } from './socket'

describe('WebSocket constructors', () => {
  it('types the WHATWG and the ws constructor as a WebSocketConstructor (checked by tsc)', () => {
    expectTypeOf(globalThis.WebSocket).toExtend<WebSocketConstructor>()
    expectTypeOf(WsWebSocket).toExtend<WebSocketConstructor>()
  })

  it('prefers an injected constructor to anything else', () => {
    expect(resolveWebSocket(WsWebSocket)).toBe(WsWebSocket)
  })

  it('loads ws in Node 20, which has no global WebSocket, once', async () => {
    const first = resolveWebSocket(undefined)
    expect(first).toBeInstanceOf(Promise)
    expect(await first).toBe(WsWebSocket)
    expect(resolveWebSocket(undefined)).toBe(first)
  })

  it('knows a ws socket by its EventEmitter methods', () => {
    const ws: WsWebSocket = Object.create(WsWebSocket.prototype)
    expect(isEmitterSocket(ws)).toBe(true)
    const whatwg = { readyState: 0, onopen: null, onmessage: null, onclose: null, onerror: null }
    expect(isEmitterSocket({ ...whatwg, send() {}, close() {} })).toBe(false)
  })
})
