import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { bundleForNode } from '@lifeline/testkit/bundle/node-bundle'
import { until, within } from '@lifeline/testkit/wait'
import { closeServer, listenOnLoopback } from '@lifeline/testkit/wire/loopback'
import { afterEach, describe, expect, it } from 'vitest'
import type { Variant } from './process-lifetime-main'

// Issue 15, item 6: the getting-started client, run in plain Node, exited with code 0 right
// after the first disconnect, its retry timer unref'd. A real process, since only a real
// event loop can tell whether anything keeps it alive.

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A server that accepts each stream, then drops it before any byte: the client must wait. */
async function droppingServer() {
  let requests = 0
  const server = createServer((req, res) => {
    requests++
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.flushHeaders()
    req.socket.end()
  })
  const port = await listenOnLoopback(server)
  cleanups.push(() => closeServer(server))
  return {
    url: `http://127.0.0.1:${port}/events`,
    get requests() {
      return requests
    },
  }
}

interface Child {
  process: ChildProcess
  /** Settles when the process has exited, with its code and what it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>
  stderr(): string
}

/** Runs process-lifetime-main.ts, built from the workspace sources, in a Node of its own. */
async function runClientProcess(url: string, variant: Variant): Promise<Child> {
  const script = await bundleForNode(new URL('./process-lifetime-main.ts', import.meta.url))
  // No IPC channel: one would keep the child alive by itself.
  const child = spawn(process.execPath, [script, url, variant], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  // 'close' rather than 'exit': by then the output pipes are drained.
  const exited = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
  }))
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill()
      await exited
    }
  })
  return { process: child, exited, stderr: () => stderr }
}

const running = (child: Child) =>
  child.process.exitCode === null && child.process.signalCode === null

describe('Node process lifetime (issue 15, item 6)', () => {
  it('a client that is not closed keeps the process alive while it waits to reconnect', async () => {
    const server = await droppingServer()
    const child = await runClientProcess(server.url, 'default')
    // The second attempt is a wait survived: meanwhile the process had only the timer.
    await until(
      () => server.requests >= 2 || !running(child),
      'a reconnect, or the process to end',
      { timeoutMs: 15_000, detail: () => `${server.requests} requests; ${child.stderr()}` },
    )
    expect(
      running(child),
      `the process exited with code ${child.process.exitCode} ${child.stderr()}`,
    ).toBe(true)
    expect(server.requests).toBeGreaterThanOrEqual(2)
  })

  it('keepProcessAlive: false lets the process exit with code 0 while it waits', async () => {
    const server = await droppingServer()
    const child = await runClientProcess(server.url, 'keepProcessAlive: false')
    const exit = await within(child.exited, 'the process to exit by itself', {
      timeoutMs: 10_000,
      detail: () => `${server.requests} requests; ${child.stderr()}`,
    })
    expect(exit).toEqual({ code: 0, signal: null, stdout: 'exited while reconnecting\n' })
    expect(server.requests).toBe(1)
  })

  it('close() after the first drop lets the process exit with code 0', async () => {
    const server = await droppingServer()
    const child = await runClientProcess(server.url, 'close after the first drop')
    const exit = await within(child.exited, 'the process to exit after close()', {
      timeoutMs: 10_000,
      detail: () => `${server.requests} requests; ${child.stderr()}`,
    })
    expect(exit).toEqual({ code: 0, signal: null, stdout: 'exited while closed\n' })
    expect(server.requests).toBe(1)
  })
})
