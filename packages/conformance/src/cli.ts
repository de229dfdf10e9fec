#!/usr/bin/env node
import { parseOptions, USAGE, UsageError } from './check/options'
import { runChecks } from './check/run-checks'

/**
 * `lifeline-conformance <url> [options]`: prints a line per check, then `N passed, N failed`.
 * Exits 0 when every check passed, 1 when one failed, 2 on a usage error.
 */
async function main(args: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseOptions>
  try {
    options = parseOptions(args)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`lifeline-conformance: ${error.message}\n\n${USAGE}`)
    return 2
  }
  if (options === 'help') {
    process.stdout.write(USAGE)
    return 0
  }
  process.stdout.write(
    `lifeline-conformance: ${options.url.href}${options.ws ? ` and ${options.ws.href}` : ''}\n\n`,
  )
  const results = await runChecks(options, (result) => {
    const line = `${result.passed ? '✓' : '✗'} ${result.name}\n`
    process.stdout.write(result.reason === undefined ? line : `${line}    ${result.reason}\n`)
  })
  const notRun = [
    options.ws === undefined ? '(WebSocket checks not run: give --ws <url>)\n' : '',
    options.restart === undefined ? '(restart checks not run: give --restart <command>)\n' : '',
  ].join('')
  const failed = results.filter((r) => !r.passed).length
  process.stdout.write(`\n${notRun}${results.length - failed} passed, ${failed} failed\n`)
  return failed === 0 ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`lifeline-conformance: ${(error as Error).stack ?? String(error)}\n`)
    process.exitCode = 2
  },
)
