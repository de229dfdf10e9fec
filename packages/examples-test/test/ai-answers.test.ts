import type { Transport } from '@lifeline/core'
import { type RedisLog, redisLog } from '@lifeline/redis'
import { sseFetch } from '@lifeline/sse-fetch'
import { createFaultProxy, type FaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { type RedisServer, startRedisServer } from '@lifeline/testkit/servers/redis-server'
import { websocket } from '@lifeline/websocket'
import { createClient } from 'redis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type AnswerView, followAnswer } from '../../../examples/ai-answers/answer-client.mjs'
import { answerTokens } from '../../../examples/ai-answers/model.mjs'
import { start } from '../../../examples/ai-answers/server.mjs'

type Example = Awaited<ReturnType<typeof start>>

const TOKENS = answerTokens('why SSE')
const FULL = TOKENS.join('')
const pipes: Record<string, () => Transport> = {
  'sse-fetch': () => sseFetch(),
  websocket: () => websocket(),
}

/** Waits for `done`, checked every 10 ms, for at most `timeoutMs`. */
async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function ask(origin: string): Promise<string> {
  const response = await fetch(`${origin}/answers`, { method: 'POST', body: 'why SSE' })
  expect(response.status).toBe(200)
  return ((await response.json()) as { id: string }).id
}

/** Storage as a page's localStorage would hold it, kept across the "reload". */
function memoryStorage() {
  const items = new Map<string, string>()
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  }
}

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function view(url: string, options: Parameters<typeof followAnswer>[1] = {}): AnswerView {
  const answer = followAnswer(url, options)
  cleanups.push(() => answer.client.close())
  return answer
}

async function proxyTo(port: number): Promise<FaultProxy> {
  const proxy = await createFaultProxy({ upstream: { port }, seed: 18 })
  cleanups.push(() => proxy.close())
  return proxy
}

describe('resumable AI answers (examples/ai-answers), in-memory log', () => {
  let example: Example
  beforeAll(async () => {
    example = await start(0, { tokenDelayMs: 15 })
  })
  afterAll(() => example?.close())

  for (const [pipe, transport] of Object.entries(pipes)) {
    it(`renders every token once through a cut mid-answer, over ${pipe}`, async () => {
      const proxy = await proxyTo(example.port)
      const id = await ask(example.origin)
      const answer = view(`${proxy.url}/answers/${id}/events`, { transports: [transport()] })
      await until('a few tokens', () => answer.tokens() >= 5)
      proxy.cutAll()
      expect(await answer.finished).toBe('complete')
      expect(answer.text()).toBe(FULL)
      expect(answer.tokens()).toBe(TOKENS.length)
      expect(answer.gaps()).toBe(0)
      expect(answer.client.connection.diagnostics().connects).toBeGreaterThan(1)
    })

    it(`renders the whole answer once after a reload mid-answer (from: 'start'), over ${pipe}`, async () => {
      const id = await ask(example.origin)
      const url = `${example.origin}/answers/${id}/events`
      const before = view(url, { transports: [transport()] })
      await until('a few tokens', () => before.tokens() >= 8)
      // The page goes away mid-answer; the model writes on.
      before.client.close()
      expect(await before.finished).toBe('closed')
      const after = view(url, { transports: [transport()] })
      expect(await after.finished).toBe('complete')
      expect(after.text()).toBe(FULL)
      expect(after.tokens()).toBe(TOKENS.length)
    })
  }

  it('with persist, a reloaded page resumes after the last token it rendered: both together are the answer once', async () => {
    const id = await ask(example.origin)
    const url = `${example.origin}/answers/${id}/events`
    const storage = memoryStorage()
    const persist = { key: `answer:${id}`, storage }
    const before = view(url, { persist })
    await until('a few tokens', () => before.tokens() >= 8)
    before.client.close()
    const rendered = before.text()
    const after = view(url, { persist })
    expect(await after.finished).toBe('complete')
    expect(rendered + after.text()).toBe(FULL)
    expect(before.tokens() + after.tokens()).toBe(TOKENS.length)
  })

  it('a stop ends the answer for good: done {"reason":"stopped"}, the close event, no reconnect', async () => {
    const id = await ask(example.origin)
    const answer = view(`${example.origin}/answers/${id}/events`)
    await until('a few tokens', () => answer.tokens() >= 3)
    const stop = await fetch(`${example.origin}/answers/${id}/stop`, { method: 'POST' })
    expect(stop.status).toBe(202)
    expect(await answer.finished).toBe('stopped')
    const stoppedAt = answer.tokens()
    expect(stoppedAt).toBeLessThan(TOKENS.length)
    expect(answer.text()).toBe(TOKENS.slice(0, stoppedAt).join(''))
    // Closed, not waiting to reconnect: nothing runs, and a reload renders the same and stops.
    expect(answer.client.connection.state).toBe('closed')
    const reloaded = view(`${example.origin}/answers/${id}/events`)
    expect(await reloaded.finished).toBe('stopped')
    expect(reloaded.text()).toBe(answer.text())
    expect((await fetch(`${example.origin}/answers/${id}/stop`, { method: 'POST' })).status).toBe(
      404,
    )
  })
})

describe('resumable AI answers on Redis: an instance dies mid-answer', () => {
  let redis: RedisServer
  const instances: Example[] = []
  const logs: RedisLog[] = []
  const clients: { close(): Promise<void> }[] = []
  beforeAll(async () => {
    redis = await startRedisServer()
    for (let i = 0; i < 2; i++) {
      const client = await createClient({ url: redis.url }).connect()
      clients.push(client)
      const log = redisLog({ client })
      logs.push(log)
      instances.push(await start(0, { log, tokenDelayMs: 15 }))
    }
  })
  afterAll(async () => {
    for (const instance of instances) await instance.close().catch(() => {})
    for (const log of logs) await log.close()
    for (const client of clients) await client.close()
    await redis?.close()
  })

  for (const [pipe, transport] of Object.entries(pipes)) {
    it(`renders every token once when the instance serving the client dies, over ${pipe}`, async () => {
      const [writer, serving] = instances as [Example, Example]
      // The model runs on one instance; the client reads through another, behind a balancer.
      const id = await ask(writer.origin)
      const balancer = await proxyTo(serving.port)
      const answer = view(`${balancer.url}/answers/${id}/events`, { transports: [transport()] })
      await until('a few tokens', () => answer.tokens() >= 5)
      // The serving instance dies (its connections reset); the balancer sends the
      // reconnect to the survivor, which resumes from the same Redis stream.
      balancer.setUpstream({ port: writer.port })
      balancer.cutAll()
      expect(await answer.finished).toBe('complete')
      expect(answer.text()).toBe(FULL)
      expect(answer.tokens()).toBe(TOKENS.length)
      expect(answer.gaps()).toBe(0)
    })
  }

  it("a reload on another instance renders the whole answer once (from: 'start')", async () => {
    const [writer, other] = instances as [Example, Example]
    const id = await ask(writer.origin)
    const before = view(`${writer.origin}/answers/${id}/events`)
    await until('a few tokens', () => before.tokens() >= 8)
    before.client.close()
    const after = view(`${other.origin}/answers/${id}/events`)
    expect(await after.finished).toBe('complete')
    expect(after.text()).toBe(FULL)
    expect(after.tokens()).toBe(TOKENS.length)
  })
})
