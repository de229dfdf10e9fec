import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FrameServer, startFrameServer } from './frame-server'

const run = promisify(execFile)
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

let dir: string
let child: string

beforeAll(async () => {
  // Bundled into a temporary folder where `ws` cannot be resolved: whatever works there
  // works without ws.
  dir = await mkdtemp(join(tmpdir(), 'lifeline-websocket-'))
  child = join(dir, 'child.mjs')
  await build({
    entryPoints: [here('./fixtures/node-child.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'esm',
    external: ['ws'],
    alias: { '@lifeline/core': here('../../core/src/index.ts') },
    logLevel: 'error',
  })
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Runs the child with `flags` against `url` and returns the sink calls it printed. */
async function runChild(flags: string[], url: URL): Promise<Record<string, unknown>[]> {
  const { stdout } = await run(process.execPath, [...flags, child, url.href], {
    cwd: dir,
    timeout: 15_000,
  })
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
}

describe('Node runtimes', () => {
  let server: FrameServer

  beforeAll(async () => {
    server = await startFrameServer()
  })

  afterAll(async () => {
    await server.close()
  })

  it('uses the global WebSocket of node --experimental-websocket, without ws', async () => {
    const output = runChild(['--experimental-websocket'], server.url)
    const peer = await server.peer(10_000)
    expect(await peer.message(0)).toBe('{"type":"hello","lastEventId":"41"}')
    peer.socket.send(': ok\n\n')
    peer.socket.send('id: 42\ndata: hi\n\n')
    peer.socket.close(1000)
    expect(await output).toEqual([
      { call: 'global', type: 'function' },
      { call: 'opened' },
      { call: 'activity' },
      { call: 'event', event: { type: 'message', data: 'hi', id: '42' } },
      { call: 'closed', kind: 'ended' },
    ])
  })

  it('reports a refused upgrade as network on the WHATWG WebSocket, which hides the status', async () => {
    const refusing = await startFrameServer({ refuse: 403 })
    try {
      const output = await runChild(['--experimental-websocket'], refusing.url)
      expect(output.map((line) => line.call)).toEqual(['global', 'closed'])
      expect(output.at(-1)).toMatchObject({ call: 'closed', kind: 'network' })
    } finally {
      await refusing.close()
    }
  })

  it('fails with a clear invalid-option error when Node has no WebSocket and ws is missing', async () => {
    const output = await runChild([], server.url)
    expect(output).toEqual([
      { call: 'global', type: 'undefined' },
      {
        call: 'closed',
        kind: 'network',
        error: {
          code: 'invalid-option',
          message:
            'no global WebSocket in this Node version: install ws (npm install ws) or pass the WebSocket option',
        },
      },
    ])
  })
})
