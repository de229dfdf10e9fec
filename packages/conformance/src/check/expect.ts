import {
  isAppEvent,
  isBareRetry,
  isControl,
  isPosition,
  type WireBlock,
  type WireItem,
} from './blocks'
import type { Run } from './run'
import type { SseSession } from './sse-session'
import type { Cursor, WireSession } from './wire-session'

/** A failed check: its message is the reason printed under the check's name. */
export function fail(reason: string): never {
  throw new Error(reason)
}

/** A block as a reason names it. */
export function describeItem(item: WireItem): string {
  if (item.kind === 'comment') return `the comment ":${item.text}"`
  if (isPosition(item)) return `the position block (id ${item.id})`
  if (isControl(item)) return `the ${item.event} control event`
  if (item.data !== undefined) {
    const id = item.id === undefined ? 'no id' : `id ${item.id}`
    return `an event (${id}, data ${JSON.stringify(item.data.slice(0, 40))})`
  }
  if (item.retry !== undefined) return `a retry: ${item.retry} block`
  return `a block with no data (event ${item.event})`
}

const sameEvent = (a: WireBlock, b: WireBlock) =>
  a.id === b.id && a.data === b.data && (a.event ?? 'message') === (b.event ?? 'message')

/** An SSE response must be a 200 before its body is a stream at all. */
export function expectOk(session: SseSession): void {
  if (session.status !== 200) fail(`answered HTTP ${session.status}, not 200`)
}

/**
 * A resumed connection: every retained event after the resume point (the reference's
 * events from index `start`, at least the `known` ones seen before it opened), then the
 * position block with the last replayed id (or the resume point), then the next live
 * event, with nothing lost or repeated at the seam.
 */
export async function expectResume(
  run: Run,
  session: WireSession,
  resumePoint: string,
  start: number,
  known: number,
): Promise<void> {
  const cursor = session.cursor(run.options.timeoutMs)
  const { reset, replayed, position } = await readReplay(session, cursor)
  if (reset) fail(`got reset: the resume point ${resumePoint} was not recognised`)
  const expected = replayed.at(-1)?.id ?? resumePoint
  if (position.id !== expected)
    fail(`the position block after the replay is ${position.id}, expected ${expected}`)
  if (replayed.length < known - start)
    fail(`replayed ${replayed.length} events, but ${known - start} came after the resume point`)
  const reference = await run.events(start + replayed.length)
  for (const [i, block] of replayed.entries()) {
    const expected = reference[start + i]!
    if (!sameEvent(block, expected))
      fail(`replayed event ${i + 1} is ${describeItem(block)}, expected ${describeItem(expected)}`)
  }
  await run.more(1)
  const live = await cursor.next('a live event after the replay', isAppEvent)
  const next = (await run.events(start + replayed.length + 1))[start + replayed.length]!
  if (!sameEvent(live, next))
    fail(
      `the first live event is ${describeItem(live)}, but the next one published was ${describeItem(next)}`,
    )
}

/**
 * Reads a connection's start up to its position block, with one bound however many events
 * a busy server sends meanwhile: whether it began with `reset`, and the events before the
 * position block. Anything else there (a close event, a block with no data) fails.
 */
export async function readReplay(
  session: WireSession,
  cursor: Cursor,
): Promise<{ reset: boolean; replayed: WireBlock[]; position: WireBlock & { id: string } }> {
  const from = cursor.position
  const position = await cursor.next('the position block', isPosition)
  const blocks = session.items
    .slice(from, cursor.position - 1)
    .filter((item): item is WireBlock => item.kind === 'block' && !isBareRetry(item))
  const reset = blocks[0]?.event === 'reset' && blocks[0].data !== undefined
  const replayed = reset ? blocks.slice(1) : blocks
  const stray = replayed.find((block) => !isAppEvent(block))
  if (stray !== undefined) fail(`got ${describeItem(stray)} before the position block`)
  return { reset, replayed, position }
}

/** An unknown resume point: the `reset` control event (with its data line), then the position block. */
export async function expectReset(session: WireSession, timeoutMs: number): Promise<void> {
  const cursor = session.cursor(timeoutMs)
  const first = await cursor.nextBlock('the reset control event')
  if (first.event !== 'reset')
    fail(`expected the reset control event first, got ${describeItem(first)}`)
  if (first.data === undefined)
    fail('the reset event has no data: line, so no client dispatches it')
  const next = await cursor.nextBlock('the position block after reset')
  if (!isPosition(next)) fail(`expected the position block after reset, got ${describeItem(next)}`)
}

/**
 * Watches for a heartbeat comment from `from` on, within `heartbeatMs`. Settles with the
 * failure instead of rejecting, so a watch no check has awaited yet never goes unhandled.
 */
export function watchHeartbeat(
  session: WireSession,
  from: number,
  heartbeatMs: number,
  exclude: (text: string) => boolean = () => false,
): Promise<Error | undefined> {
  return session
    .cursor(heartbeatMs, from)
    .next('a heartbeat comment', (item) => item.kind === 'comment' && !exclude(item.text))
    .then(
      () => undefined,
      (error: unknown) => error as Error,
    )
}

/**
 * The close control event is what a client acts on: it must carry a `data:` line, plain
 * text or a JSON object whose `reconnect` is a boolean and `retry` a count of ms.
 */
export function expectCloseData(block: WireBlock): void {
  const { data } = block
  if (data === undefined) fail('the close event has no data: line, so no client dispatches it')
  if (!data.trimStart().startsWith('{')) return
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    fail(`the close event's data looks like JSON but does not parse: ${data}`)
  }
  const { reconnect, retry } = value as { reconnect?: unknown; retry?: unknown }
  if (reconnect !== undefined && typeof reconnect !== 'boolean')
    fail(`the close event's reconnect is not a boolean: ${data}`)
  if (retry !== undefined && !(Number.isInteger(retry) && (retry as number) >= 0))
    fail(`the close event's retry is not a count of ms: ${data}`)
}
