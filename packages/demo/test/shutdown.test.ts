import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { workspaceSources } from '@lifeline/testkit/bundle/workspace-sources'
import { bounded } from '@lifeline/testkit/wait'
import { build } from 'esbuild'
import { expect, it } from 'vitest'
import { extractBlocks, repoRoot } from './docs-check'

const packageDir = fileURLToPath(new URL('../', import.meta.url))
// Inside the package (and gitignored), so Node resolves ws and esbuild from the workspace.
const artifacts = join(packageDir, '.artifacts')

it('leaves no open handle: a process that served clients on both pipes exits on its own after close', async () => {
  mkdirSync(artifacts, { recursive: true })
  const outfile = join(artifacts, 'close-child.mjs')
  await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/close-child.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['ws', 'esbuild'],
    logLevel: 'silent',
    plugins: [workspaceSources],
  })
  const child = spawnSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 20_000 })
  expect(child.stderr).toBe('')
  expect(child.stdout.trim()).toBe('closed')
  // Exited by itself (no process.exit in the fixture), before the timeout killed it.
  expect(child.signal).toBeNull()
  expect(child.status).toBe(0)
})

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  let seen = ''
  return bounded<string>(
    `a line matching ${pattern}`,
    (resolve) => {
      const onData = (chunk: Buffer) => {
        seen += chunk.toString()
        const match = pattern.exec(seen)
        if (match) resolve(match[0])
      }
      child.stdout?.on('data', onData)
      return () => child.stdout?.off('data', onData)
    },
    { timeoutMs, detail: () => `output: ${seen}` },
  )
}

it('npm start serves the page on the printed URL and exits with 0 on SIGINT', async () => {
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: packageDir,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    const url = await waitForLine(child, /http:\/\/127\.0\.0\.1:\d+\//, 20_000)
    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<script type="module" src="/app.js">')
    const script = await fetch(new URL('/app.js', url))
    expect(script.headers.get('content-type')).toContain('text/javascript')
    expect(await script.text()).toContain('createClient')
    const stopped = waitForLine(child, /Lifeline demo stopped/, 10_000)
    child.kill('SIGINT')
    await stopped
    expect(await exited).toBe(0)
  } finally {
    child.kill('SIGKILL')
  }
}, 40_000)

it("getting-started's server stops publishing on SIGTERM, then closes and exits with 0", async () => {
  const page = 'docs/getting-started.md'
  const block = extractBlocks(page, readFileSync(join(repoRoot, page), 'utf8')).find((b) =>
    b.code.includes('createHub()'),
  )
  // The page's code as it is, but on a port the OS picks, saying when it listens.
  const code = block?.code.replace(
    'server.listen(8080)',
    "server.listen(0, '127.0.0.1', () => console.log('listening'))",
  )
  expect(code).toContain("console.log('listening')")
  mkdirSync(artifacts, { recursive: true })
  const entry = join(artifacts, 'getting-started-server.ts')
  writeFileSync(entry, code ?? '')
  const outfile = join(artifacts, 'getting-started-server.mjs')
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['ws'],
    logLevel: 'silent',
    plugins: [workspaceSources],
  })
  const child = spawn(process.execPath, [outfile], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    await waitForLine(child, /listening/, 10_000)
    // Its publisher ticks every second: a tick after close() would reject unhandled.
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stderr).toBe('')
  } finally {
    child.kill('SIGKILL')
  }
}, 30_000)
