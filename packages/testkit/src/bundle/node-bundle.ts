import { createHash } from 'node:crypto'
import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { workspaceSources } from './workspace-sources'

const bundles = new Map<string, Promise<string>>()

/**
 * Bundles a TypeScript entry for `child_process.fork`, once per test process: the workspace
 * sources resolved as vitest resolves them, so the child runs exactly the code under test.
 * CommonJS, because `ws` and node-redis `require` Node builtins. Resolves to the file's path.
 *
 * @example
 * ```ts
 * const script = await bundleForNode(new URL('./child-main.ts', import.meta.url))
 * const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
 * ```
 */
export function bundleForNode(entry: URL | string): Promise<string> {
  const path = typeof entry === 'string' ? entry : fileURLToPath(entry)
  let bundled = bundles.get(path)
  if (bundled === undefined) {
    bundled = write(path)
    bundles.set(path, bundled)
  }
  return bundled
}

async function write(path: string): Promise<string> {
  const result = await build({
    entryPoints: [path],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    outfile: 'bundle.cjs',
    logLevel: 'silent',
    // Optional native speed-ups of ws, absent here; ws falls back when require fails.
    external: ['bufferutil', 'utf-8-validate'],
    plugins: [workspaceSources],
  })
  const [output] = result.outputFiles
  if (output === undefined) throw new Error(`esbuild produced nothing for ${path}`)
  // Named by content: runs and test workers share one file per version of the sources, and
  // nothing piles up, since vitest ends its workers without an exit event to clean up on.
  const hash = createHash('sha256').update(output.contents).digest('hex').slice(0, 16)
  const dir = join(tmpdir(), 'lifeline-node-bundles')
  const file = join(dir, `${basename(path, '.ts')}-${hash}.cjs`)
  await mkdir(dir, { recursive: true })
  const exists = await stat(file).then(
    () => true,
    () => false,
  )
  if (!exists) {
    // Written aside, then renamed: a worker forking the file never reads half of it.
    const partial = `${file}.${process.pid}.partial`
    await writeFile(partial, output.contents)
    await rename(partial, file)
  }
  return file
}
