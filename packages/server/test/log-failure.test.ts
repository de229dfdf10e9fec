import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'
import { openRawSse } from '@lifeline/testkit/wire/raw-sse-reader'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createHub, type EventLog, memoryLog } from '../src/index'

/** A log whose reads fail, as one on an unreachable Redis does. */
function unreachableLog(): EventLog {
  const inner = memoryLog()
  const down = () => Promise.reject(new Error('log unreachable'))
  return { ...inner, readAfter: down, readNewest: down, newest: down, oldest: down }
}

let server: HubServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(): Promise<{ server: HubServer; errors: unknown[] }> {
  const errors: unknown[] = []
  const hub = createHub({ log: unreachableLog(), onError: (error) => errors.push(error) })
  server = await startHubServer({ hub })
  return { server, errors }
}

describe('a log that fails on the first read', () => {
  it.each([[undefined], ['abc-1']])(
    'SSE (resume point %s): 503 with Retry-After, no accepted stream',
    async (lastEventId) => {
      const { server, errors } = await start()
      const reader = await openRawSse(server.url, { lastEventId })
      expect(reader.status).toBe(503)
      expect(reader.headers.get('retry-after')).toBe('1')
      expect(reader.headers.get('content-type')).not.toBe('text/event-stream; charset=utf-8')
      expect(errors).toHaveLength(1)
      reader.close()
    },
  )

  it('WebSocket: closed with 1013 before any acceptance frame', async () => {
    const { server } = await start()
    const ws = new WebSocket(server.wsUrl)
    const frames: string[] = []
    ws.on('message', (data) => frames.push(String(data)))
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello' })))
    const code = await new Promise<number>((resolve) => ws.on('close', resolve))
    expect(code).toBe(1013)
    expect(frames).toEqual([])
  })
})
