import { execFile } from 'node:child_process'
import { bundleForNode } from '@lifeline/testkit/bundle/node-bundle'

/** What one run of lifeline-conformance printed, and its exit code. */
export interface BinRun {
  code: number
  stdout: string
  stderr: string
  /** The check names that passed and failed, from the ✓ and ✗ lines. */
  passed: string[]
  failed: string[]
  /** The reason printed under each failed check. */
  reasons: Record<string, string>
}

/**
 * Runs the bin from the workspace sources (bundled as a Node script, as tsup builds it) as a
 * child process, with `args`, and collects what it printed.
 */
export async function runBin(args: readonly string[], timeoutMs = 60_000): Promise<BinRun> {
  const script = await bundleForNode(new URL('../src/cli.ts', import.meta.url))
  const { code, stdout, stderr } = await new Promise<{
    code: number
    stdout: string
    stderr: string
  }>((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: timeoutMs }, (error, stdout, stderr) =>
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
        stdout,
        stderr,
      }),
    )
  })
  const passed: string[] = []
  const failed: string[] = []
  const reasons: Record<string, string> = {}
  let last = ''
  for (const line of stdout.split('\n')) {
    if (line.startsWith('✓ ')) passed.push(line.slice(2))
    else if (line.startsWith('✗ ')) {
      last = line.slice(2)
      failed.push(last)
    } else if (line.startsWith('    ') && last !== '') reasons[last] = line.trim()
  }
  return { code, stdout, stderr, passed, failed, reasons }
}
