import { parseArgs } from 'node:util'

/** What the check runs against and how, from the command line. */
export interface CheckOptions {
  /** The SSE endpoint: `http:` or `https:`. */
  url: URL
  /** The WebSocket endpoint of the same stream, when its checks should run. */
  ws: URL | undefined
  /** Publishes one event on the stream; without it the server must publish on its own. */
  publish: string | undefined
  /** Restarts the server; the restart checks run only with it. */
  restart: string | undefined
  /** Extra request headers on every connection. */
  headers: Record<string, string>
  /** The bound on each wait, in ms. */
  timeoutMs: number
  /** How long a quiet stream may go without a comment, in ms. */
  heartbeatMs: number
}

/** The usage text, printed by `--help` and after a usage error. */
export const USAGE = `Usage: lifeline-conformance <url> [options]

Checks a server against the Lifeline wire protocol (docs/protocol.md) and prints
"N passed, N failed". It publishes nothing itself.

Options:
  --ws <url>             also check the WebSocket pipe of the same stream (ws: or wss:)
  --publish <command>    a shell command that publishes one event on the stream, run
                         each time a check needs one; without it the server must
                         publish on its own (a ticker) within --timeout
  --restart <command>    a shell command that restarts the server (a graceful
                         shutdown, then up again) and exits 0; runs the restart checks
  --header <name: value> a request header on every connection (repeatable)
  --timeout <ms>         the bound on each wait (default 10000)
  --heartbeat <ms>       how long a quiet stream may go without a comment (default 35000)
  --help                 print this text
`

/** A command line the check cannot run with; the message says why. */
export class UsageError extends Error {}

const positive = (value: string | undefined, name: string, fallback: number) => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer`)
  return n
}

const endpoint = (value: string, name: string, protocols: readonly string[]) => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(`${name} is not a URL: ${value}`)
  }
  if (!protocols.includes(url.protocol))
    throw new UsageError(`${name} must be ${protocols.join(' or ')}: ${value}`)
  return url
}

/** Parses the arguments after the program name; `'help'` for `--help`. */
export function parseOptions(args: readonly string[]): CheckOptions | 'help' {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(args)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help === true) return 'help'
  if (positionals.length !== 1) throw new UsageError('give exactly one URL')
  const headers: Record<string, string> = {}
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':')
    if (colon <= 0) throw new UsageError(`--header must be "name: value": ${header}`)
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim()
  }
  return {
    url: endpoint(positionals[0]!, 'the URL', ['http:', 'https:']),
    ws: values.ws === undefined ? undefined : endpoint(values.ws, '--ws', ['ws:', 'wss:']),
    publish: values.publish,
    restart: values.restart,
    headers,
    timeoutMs: positive(values.timeout, 'timeout', 10_000),
    heartbeatMs: positive(values.heartbeat, 'heartbeat', 35_000),
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      ws: { type: 'string' },
      publish: { type: 'string' },
      restart: { type: 'string' },
      header: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      heartbeat: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
}
