import { isAppEvent, isPosition, isRetryHint, type WireBlock } from './blocks'
import { describeItem, expectReset, expectResume, fail, watchHeartbeat } from './expect'
import type { CheckOptions } from './options'
import type { Check, Run } from './run'
import { liveEvents, unknownId } from './sse-checks'
import type { WsSession } from './ws-session'

const firstWs = (run: Run): WsSession => run.shared.ws ?? fail('the first WebSocket did not open')

/**
 * The reference event that comes right after `id`: the next one the server published after
 * that point, whichever pipe saw it. `id` is the reference's position block or one of its
 * events, which the reference has already seen or is about to.
 */
async function eventAfter(run: Run, id: string): Promise<WireBlock> {
  const reference = run.reference ?? fail('the first stream did not open')
  if (reference.position?.id === id) return (await run.events(1))[0]!
  // It was published before the WebSocket connected: among what the first stream has read.
  const bound = reference.session.items.filter(isAppEvent).length + 10
  for (let count = 1; count <= bound; count++) {
    const events = await run.events(count)
    if (events[count - 1]!.id === id) return (await run.events(count + 1))[count]!
  }
  return fail(`the first stream never saw the id ${id} of the WebSocket's position block`)
}

/** The checks of the WebSocket pipe (`--ws`), in the order they run. */
export function wsChecks(options: CheckOptions): Check[] {
  return [
    {
      name: 'ws: the first frame after the hello accepts the connection',
      async run(run) {
        const ws = await run.ws()
        run.shared.ws = ws
        await ws.accepted(options.timeoutMs)
        // Timed from the acceptance; the answer to our ping is not a heartbeat.
        const watch = watchHeartbeat(
          ws,
          ws.acceptanceItems ?? 0,
          options.heartbeatMs,
          (text) => text === 'pong',
        )
        run.pending.set('ws-heartbeat', watch)
      },
    },
    {
      name: 'ws: the stream starts with the retry: hint, then the position block',
      async run(run) {
        const cursor = firstWs(run).cursor(options.timeoutMs)
        const first = await cursor.nextBlock('the retry: hint', { retries: true })
        if (!isRetryHint(first)) fail(`the first block is ${describeItem(first)}`)
        const next = await cursor.nextBlock('the position block')
        if (!isPosition(next)) fail(`the block after the retry: hint is ${describeItem(next)}`)
      },
    },
    {
      name: 'ws: live events arrive, the same as over SSE',
      async run(run) {
        const ws = firstWs(run)
        const cursor = ws.cursor(options.timeoutMs)
        const position = await cursor.next('the position block', isPosition)
        await run.more(1)
        const live = await cursor.next('a live event', isAppEvent)
        const expected = await eventAfter(run, position.id)
        if (live.id !== expected.id || live.data !== expected.data)
          fail(
            `the first live event is ${describeItem(live)}, but SSE had ${describeItem(expected)}`,
          )
      },
    },
    {
      name: 'ws: a hello with lastEventId resumes after that event: the replay, the position block, then live',
      async run(run) {
        const { ids, known } = liveEvents(run)
        const ws = await run.ws(ids[0])
        await ws.accepted(options.timeoutMs)
        await expectResume(run, ws, ids[0]!, 1, known)
        ws.close()
      },
    },
    {
      name: 'ws: a hello with an unknown lastEventId gets reset, then the position block',
      async run(run) {
        const ws = await run.ws(unknownId())
        await ws.accepted(options.timeoutMs)
        await expectReset(ws, options.timeoutMs)
        ws.close()
      },
    },
    {
      name: 'ws: {"type":"ping"} is answered with a ": pong" comment',
      async run(run) {
        const ws = firstWs(run)
        const cursor = ws.cursor(options.timeoutMs, ws.items.length)
        ws.send('{"type":"ping"}')
        await cursor.next(
          'the ": pong" comment',
          (item) => item.kind === 'comment' && item.text === 'pong',
        )
      },
    },
    {
      name: `ws: a quiet connection gets a heartbeat comment within ${options.heartbeatMs} ms`,
      async run(run) {
        const watch = run.pending.get('ws-heartbeat') ?? fail('the first WebSocket did not open')
        const error = await watch
        if (error !== undefined) fail(error.message)
      },
    },
    {
      name: 'ws: every frame is text holding whole blocks',
      async run(run) {
        const bad = run.sessions.flatMap((s) =>
          'badFrames' in s ? (s as WsSession).badFrames : [],
        )
        if (bad.length > 0) fail(bad.slice(0, 3).join('; '))
        if (!run.sessions.some((s) => 'badFrames' in s && (s as WsSession).frames > 1))
          fail('no WebSocket carried a stream to look at')
      },
    },
  ]
}
