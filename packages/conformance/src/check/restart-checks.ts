import { setTimeout as delay } from 'node:timers/promises'
import { isControl } from './blocks'
import { describeItem, expectCloseData, expectOk, fail, readReplay } from './expect'
import { runHook } from './hooks'
import type { CheckOptions } from './options'
import type { Check, Run } from './run'
import type { SseSession } from './sse-session'
import type { WireSession } from './wire-session'

/** How often the check asks again while the restarted server is not up yet. */
const RETRY_MS = 100

const restarted = (run: Run) => run.shared.restart ?? fail('the restart command did not run')

/** On an open stream: the close control event (with valid data), then the end. */
async function expectFarewell(session: WireSession, from: number, timeoutMs: number) {
  const cursor = session.cursor(timeoutMs, from)
  const control = await cursor.next('the close control event', isControl)
  if (control.event !== 'close') fail(`got ${describeItem(control)} instead of close`)
  expectCloseData(control)
  await session.ended(timeoutMs)
  const after = session.items.slice(cursor.position).filter((item) => item.kind === 'block')
  if (after.length > 0) fail(`${describeItem(after[0]!)} came after the close event`)
}

/** An SSE request once the restarted server answers: refused connections and 503s are retried. */
async function reconnect(run: Run, lastEventId: string): Promise<SseSession> {
  const deadline = Date.now() + run.options.timeoutMs
  for (;;) {
    try {
      const session = await run.sse({ lastEventId })
      if (session.status !== 503 || Date.now() > deadline) return session
      session.close()
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
    await delay(RETRY_MS)
  }
}

/** The checks of a restart (`--restart`), in the order they run; they end the first streams. */
export function restartChecks(options: CheckOptions, command: string): Check[] {
  const checks: Check[] = [
    {
      name: 'restart: the restart command exits 0',
      async run(run) {
        const reference = run.reference ?? fail('the first stream did not open')
        const ids = [reference.position?.id, ...run.eventsSoFar().map((e) => e.id)]
        const lastEventId = ids.filter((id) => id !== undefined).at(-1)
        if (lastEventId === undefined) fail('needs an id from the first stream to resume from')
        run.shared.restart = {
          sse: reference.session.items.length,
          ws: run.shared.ws?.items.length ?? 0,
          lastEventId,
        }
        await runHook(command, 'restart', options.timeoutMs)
      },
    },
    {
      name: 'restart: an open SSE stream gets the close event, then the response ends',
      async run(run) {
        const session = run.reference?.session ?? fail('the first stream did not open')
        await expectFarewell(session, restarted(run).sse, options.timeoutMs)
      },
    },
  ]
  if (options.ws !== undefined)
    checks.push({
      name: 'restart: an open WebSocket gets the close event, then close code 1012 or 1001',
      async run(run) {
        const ws = run.shared.ws ?? fail('the first WebSocket did not open')
        await expectFarewell(ws, restarted(run).ws, options.timeoutMs)
        if (ws.closeCode !== 1012 && ws.closeCode !== 1001)
          fail(`the socket closed with code ${ws.closeCode}`)
      },
    })
  checks.push({
    name: 'restart: the old resume point gets 200, reset or its replay, then the position block',
    async run(run) {
      const { lastEventId } = restarted(run)
      const session = await reconnect(run, lastEventId)
      expectOk(session)
      const { reset, replayed, position } = await readReplay(
        session,
        session.cursor(options.timeoutMs),
      )
      // Without reset the server kept the history: the position follows what it replayed.
      const expected = replayed.at(-1)?.id ?? lastEventId
      if (!reset && position.id !== expected)
        fail(`without reset, the position block is ${position.id}, expected ${expected}`)
      session.close()
    },
  })
  return checks
}
