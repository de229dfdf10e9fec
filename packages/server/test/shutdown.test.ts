import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { workspaceSources } from '@lifeline/testkit/bundle/workspace-sources'
import { type HubServer, startHubServer } from '@lifeline/testkit/servers/hub-server'
import { openRawPipe, positionsOf, RAW_PIPES } from '@lifeline/testkit/wire/raw-pipe'
import { openRawSse } from '@lifeline/testkit/wire/raw-sse-reader'
import { openRawWs, UpgradeRefused } from '@lifeline/testkit/wire/raw-ws-reader'
import { build } from 'esbuild'
import { afterEach, describe, expect, it } from 'vitest'

let server: HubServer | undefined
afterEach(async () => {
  await server?.close()
})

const CLOSE_RECONNECT = '{"reconnect":true,"retry":1000}'

describe('shutdown', () => {
  it.each([
    [{ reconnect: true }, CLOSE_RECONNECT, 1012],
    [{ reconnect: false }, '{"reconnect":false}', 1001],
    [undefined, CLOSE_RECONNECT, 1012],
  ])('close(%j) sends the close event to every client, then ends', async (options, data, code) => {
    server = await startHubServer()
    const readers = await Promise.all(
      [...RAW_PIPES, ...RAW_PIPES].map((pipe) => openRawPipe(pipe, server!)),
    )
    await Promise.all(readers.map((r) => r.waitFor((items) => positionsOf(items).length > 0)))
    const ws = await openRawWs(server.wsUrl)
    await ws.waitFor((items) => positionsOf(items).length > 0)
    await server.hub.close(options)
    for (const reader of [...readers, ws]) {
      await reader.waitForEnd()
      expect(reader.events.at(-1)).toEqual({ kind: 'event', type: 'close', data, id: undefined })
    }
    expect((await ws.waitForClose()).code).toBe(code)
    expect(server.hub.stats()).toMatchObject({ clients: 0, streams: 0, bufferedBytes: 0 })
  })

  it('after close: SSE gets 200 with retry and the close event, WebSocket 503, publish a typed error', async () => {
    server = await startHubServer()
    const closing = server.hub.close()
    expect(server.hub.close()).toBe(closing)
    await closing
    const reader = await openRawSse(server.url)
    await reader.waitForEnd()
    expect(reader.status).toBe(200)
    expect(reader.text).toBe(`retry: 1000\n\nevent: close\ndata: ${CLOSE_RECONNECT}\n\n`)
    const refused = await openRawWs(server.wsUrl).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(UpgradeRefused)
    expect((refused as UpgradeRefused).status).toBe(503)
    await expect(server.hub.publish('events', { data: 'x' })).rejects.toMatchObject({
      name: 'LifelineError',
      code: 'closed',
    })
  })

  it('leaves no open handle: a process that served clients exits on its own after close', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url))
    const outdir = fileURLToPath(new URL('../reports/', import.meta.url))
    mkdirSync(outdir, { recursive: true })
    const outfile = `${outdir}shutdown-child.mjs`
    await build({
      entryPoints: [`${here}fixtures/shutdown-child.ts`],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['ws', 'eventsource-parser'],
      // The sources the tests cover, not a dist/ that may be stale or not built at all.
      plugins: [workspaceSources],
      logLevel: 'silent',
    })
    const child = spawnSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 15_000 })
    expect(child.stderr).toBe('')
    expect(child.stdout.trim()).toBe('closed 4 clients')
    // Exited by itself (no process.exit in the fixture) well before the timeout killed it.
    expect(child.signal).toBeNull()
    expect(child.status).toBe(0)
  })
})
