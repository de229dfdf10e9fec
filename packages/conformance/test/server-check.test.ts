import { memoryLog } from '@lifeline/server'
import { freeLoopbackPort } from '@lifeline/testkit/wire/loopback'
import { afterEach, describe, expect, it } from 'vitest'
import { type HubUnderTest, startHubUnderTest } from './hub-server'
import { type Faults, type MinimalServer, startMinimalServer } from './minimal-server'
import { runBin } from './run-bin'

const servers: (HubUnderTest | MinimalServer)[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const ALL_CHECKS = 25
const bounds = ['--heartbeat', '2000', '--timeout', '5000']

describe('lifeline-conformance against @lifeline/server', () => {
  it('passes every check, SSE, WebSocket and restart, with events from --publish', async () => {
    const hub = await startHubUnderTest({ heartbeat: 200, retry: 500 })
    servers.push(hub)
    const run = await runBin([
      hub.url,
      '--ws',
      hub.wsUrl,
      '--publish',
      hub.publishCommand,
      '--restart',
      hub.restartCommand,
      ...bounds,
    ])
    expect(run.failed, run.stdout).toEqual([])
    expect(run.passed).toHaveLength(ALL_CHECKS)
    expect(run.stdout).toContain(`${ALL_CHECKS} passed, 0 failed`)
    expect(run.code).toBe(0)
  })

  it('passes the restart checks when the log survives the restart: no reset, the replay', async () => {
    const hub = await startHubUnderTest({ heartbeat: 200, retry: 500, log: memoryLog() })
    servers.push(hub)
    const run = await runBin([
      hub.url,
      '--publish',
      hub.publishCommand,
      '--restart',
      hub.restartCommand,
      ...bounds,
    ])
    expect(run.failed, run.stdout).toEqual([])
    expect(run.passed).toContain(
      'restart: the old resume point gets 200, reset or its replay, then the position block',
    )
  })
})

describe('lifeline-conformance against a minimal node:http + ws server', () => {
  it('passes every check, with events from its own ticker', async () => {
    const server = await startMinimalServer()
    servers.push(server)
    const run = await runBin([
      server.url,
      '--ws',
      server.wsUrl,
      '--restart',
      server.restartCommand,
      ...bounds,
    ])
    expect(run.failed, run.stdout).toEqual([])
    expect(run.passed).toHaveLength(ALL_CHECKS)
    expect(run.code).toBe(0)
  })
})

describe('lifeline-conformance against a broken server', () => {
  // Each fault breaks one rule of docs/protocol.md: exactly the checks of that rule fail.
  const cases: [string, Faults, boolean, string[]][] = [
    [
      'a wrong content type',
      { contentType: 'text/plain' },
      true,
      ['sse: a GET is answered 200 with content-type text/event-stream'],
    ],
    [
      'no reset for unknown resume points',
      { noReset: true },
      true,
      [
        'sse: an unknown Last-Event-ID gets 200, reset, then the position block',
        'sse: a Last-Event-ID over 64 bytes gets reset',
        'ws: a hello with an unknown lastEventId gets reset, then the position block',
        'restart: the old resume point gets 200, reset or its replay, then the position block',
      ],
    ],
    [
      'no heartbeats',
      { noHeartbeat: true },
      true,
      [
        'sse: a quiet stream gets a heartbeat comment within 1000 ms',
        'ws: a quiet connection gets a heartbeat comment within 1000 ms',
      ],
    ],
    [
      'a block split across WebSocket frames',
      { splitFrames: true },
      true,
      ['ws: every frame is text holding whole blocks'],
    ],
    [
      'a restart without the close event',
      { noCloseEvent: true },
      true,
      [
        'restart: an open SSE stream gets the close event, then the response ends',
        'restart: an open WebSocket gets the close event, then close code 1012 or 1001',
      ],
    ],
    [
      'no position block',
      { noPosition: true },
      false,
      [
        'sse: a fresh connect gets the position block before any event',
        'sse: Last-Event-ID resumes after that event: the replay, the position block, then live',
        'sse: the lastEventId query resumes the same way',
        'sse: Last-Event-ID wins over the lastEventId query',
        'sse: resuming from the position block replays every event after it',
        'sse: an unknown Last-Event-ID gets 200, reset, then the position block',
        'sse: a Last-Event-ID over 64 bytes gets reset',
      ],
    ],
  ]

  it.each(cases)(
    'with %s fails exactly the checks of that rule',
    async (_, faults, ws, failing) => {
      const server = await startMinimalServer(faults)
      servers.push(server)
      const run = await runBin([
        server.url,
        ...(ws ? ['--ws', server.wsUrl, '--restart', server.restartCommand] : []),
        '--heartbeat',
        '1000',
        '--timeout',
        '2000',
      ])
      expect(run.failed, run.stdout).toEqual(failing)
      expect(run.stdout).toContain(`${run.passed.length} passed, ${failing.length} failed`)
      expect(run.code).toBe(1)
    },
    60_000,
  )

  it('says why: the reason is printed under the failed check', async () => {
    const server = await startMinimalServer({ contentType: 'text/plain' })
    servers.push(server)
    const run = await runBin([server.url, '--heartbeat', '1000', '--timeout', '2000'])
    expect(run.reasons).toEqual({
      'sse: a GET is answered 200 with content-type text/event-stream':
        'content-type is "text/plain"',
    })
  })

  it('fails every check, without hanging, when nothing listens', async () => {
    const port = await freeLoopbackPort()
    const run = await runBin([`http://127.0.0.1:${port}/events`, '--timeout', '2000'])
    expect(run.passed).toEqual([])
    expect(run.failed.length).toBeGreaterThan(0)
    expect(run.reasons['sse: a GET is answered 200 with content-type text/event-stream']).toMatch(
      /^the request failed: connect ECONNREFUSED/,
    )
    expect(run.code).toBe(1)
  })
})

describe('the command line', () => {
  it('prints the usage and exits 2 without a URL', async () => {
    const run = await runBin([])
    expect(run.stderr).toContain('give exactly one URL')
    expect(run.stderr).toContain('Usage: lifeline-conformance <url> [options]')
    expect(run.code).toBe(2)
  })

  it('prints the usage and exits 0 for --help', async () => {
    const run = await runBin(['--help'])
    expect(run.stdout).toContain('--restart <command>')
    expect(run.code).toBe(0)
  })

  it('fails the publish checks with the command and its output when --publish fails', async () => {
    const hub = await startHubUnderTest({ heartbeat: 200 })
    servers.push(hub)
    const run = await runBin([
      hub.url,
      '--publish',
      `"${process.execPath}" -e "console.error('no such stream'); process.exit(3)"`,
      '--timeout',
      '2000',
      '--heartbeat',
      '2000',
    ])
    expect(run.reasons['sse: live events follow, each with an id of its own']).toBe(
      'the publish command exited with 3: no such stream',
    )
    expect(run.code).toBe(1)
  })
})
