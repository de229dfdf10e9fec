import { randomBytes } from 'node:crypto'
import { isPosition, isRetryHint } from './blocks'
import { describeItem, expectOk, expectReset, expectResume, fail, watchHeartbeat } from './expect'
import type { CheckOptions } from './options'
import type { Check, Reference, Run } from './run'

/** A resume point no server issued: charset-valid, so only "unknown" can explain a reset. */
export const unknownId = () => `lifeline-conformance-unknown-${randomBytes(6).toString('hex')}`

const reference = (run: Run): Reference => run.reference ?? fail('the first stream did not open')

/** The ids of the first stream's three live events, and how many events it has seen. */
export function liveEvents(run: Run): { ids: string[]; known: number } {
  const events = run.eventsSoFar()
  if (events.length < 3) fail('needs the live events of the first stream, which did not all arrive')
  const ids = events.slice(0, 3).map((e) => e.id ?? fail('needs live events with ids'))
  return { ids, known: events.length }
}

/** Resumes over SSE from live event `index` (0-based) and expects what comes after it. */
const resumeCheck =
  (index: number, how: (id: string) => Parameters<Run['sse']>[0]) => async (run: Run) => {
    const { ids, known } = liveEvents(run)
    const id = ids[index]!
    const session = await run.sse(how(id))
    expectOk(session)
    await expectResume(run, session, id, index + 1, known)
    session.close()
  }

const resetCheck = (id: () => string) => async (run: Run) => {
  const session = await run.sse({ lastEventId: id() })
  expectOk(session)
  await expectReset(session, run.options.timeoutMs)
  session.close()
}

/** The checks of the SSE pipe, in the order they run. */
export function sseChecks(options: CheckOptions): Check[] {
  return [
    {
      name: 'sse: a GET is answered 200 with content-type text/event-stream',
      async run(run) {
        const session = await run.sse()
        run.reference = { session }
        // Timed from the start; awaited by the heartbeat check once the others are done.
        run.pending.set('sse-heartbeat', watchHeartbeat(session, 0, options.heartbeatMs))
        expectOk(session)
        const type = session.headers['content-type'] ?? ''
        // [spec] the MIME type is text/event-stream; parameters such as charset may follow.
        if (!/^text\/event-stream\s*(;|$)/i.test(type))
          fail(`content-type is ${type === '' ? 'missing' : `"${type}"`}`)
      },
    },
    {
      name: 'sse: the response says cache-control: no-cache',
      async run(run) {
        const value = reference(run).session.headers['cache-control'] ?? ''
        if (!/\bno-(cache|store)\b/i.test(value))
          fail(`cache-control is ${value === '' ? 'missing' : `"${value}"`}`)
      },
    },
    {
      name: 'sse: the stream starts with a retry: hint',
      async run(run) {
        const first = await reference(run)
          .session.cursor(options.timeoutMs)
          .nextBlock('the first block', { retries: true })
        if (!isRetryHint(first)) fail(`the first block is ${describeItem(first)}`)
      },
    },
    {
      name: 'sse: a fresh connect gets the position block before any event',
      async run(run) {
        const ref = reference(run)
        const cursor = ref.session.cursor(options.timeoutMs)
        const block = await cursor.nextBlock('the position block')
        if (!isPosition(block))
          return fail(`the first block after the retry: hint is ${describeItem(block)}`)
        ref.position = { id: block.id, index: cursor.position - 1 }
      },
    },
    {
      name: 'sse: live events follow, each with an id of its own',
      async run(run) {
        await run.more(3)
        const events = await run.events(3)
        const ids = events.map((e) => e.id)
        if (ids.some((id) => id === undefined || id === ''))
          fail(`an event came without an id: ${ids.join(', ')}`)
        if (new Set(ids).size !== ids.length) fail(`ids repeat: ${ids.join(', ')}`)
      },
    },
    {
      name: 'sse: Last-Event-ID resumes after that event: the replay, the position block, then live',
      run: resumeCheck(0, (id) => ({ lastEventId: id })),
    },
    {
      name: 'sse: the lastEventId query resumes the same way',
      run: resumeCheck(0, (id) => ({ query: { lastEventId: id } })),
    },
    {
      name: 'sse: Last-Event-ID wins over the lastEventId query',
      run: resumeCheck(1, (id) => ({ lastEventId: id, query: { lastEventId: unknownId() } })),
    },
    {
      name: 'sse: resuming from the position block replays every event after it',
      async run(run) {
        const { known } = liveEvents(run)
        const position =
          reference(run).position ?? fail('needs the position block of a fresh connect')
        const session = await run.sse({ lastEventId: position.id })
        expectOk(session)
        await expectResume(run, session, position.id, 0, known)
        session.close()
      },
    },
    {
      name: 'sse: an unknown Last-Event-ID gets 200, reset, then the position block',
      run: resetCheck(unknownId),
    },
    {
      name: 'sse: a Last-Event-ID over 64 bytes gets reset',
      run: resetCheck(() => `lifeline-conformance-${'a'.repeat(50)}`),
    },
    {
      name: `sse: a quiet stream gets a heartbeat comment within ${options.heartbeatMs} ms`,
      async run(run) {
        const watch = run.pending.get('sse-heartbeat') ?? fail('the first stream did not open')
        const error = await watch
        if (error !== undefined) fail(error.message)
      },
    },
  ]
}
