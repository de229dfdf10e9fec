// Runs in Chromium: the browser's own EventSource, no Lifeline code at all.
import { createNotifier, until } from '@lifeline/testkit/wait'

/** A message as EventSource dispatched it. */
export interface NativeMessage {
  data: string
  lastEventId: string
}

let source: EventSource | undefined
let seen: NativeMessage[] = []
let errors = 0
const changes = createNotifier()
const settle = changes.notify
/** Bounded below the harness's 15 s per call, so a failure names what the page awaited. */
const reach = (ready: () => boolean, what: string) =>
  until(ready, what, { wake: changes.wake, timeoutMs: 10_000 })

/** Opens a native EventSource on `url`. */
export function start(url: string): void {
  seen = []
  errors = 0
  source = new EventSource(url)
  source.onmessage = (e) => {
    seen.push({ data: e.data, lastEventId: e.lastEventId })
    settle()
  }
  source.onopen = settle
  // [spec] on a dropped connection EventSource fires error and reconnects by itself.
  source.onerror = () => {
    errors++
    settle()
  }
}

/** Resolves once the source is open (readyState OPEN). */
export async function opened(): Promise<void> {
  await reach(() => source?.readyState === EventSource.OPEN, 'the open source')
}

/** Resolves once the source reported a dropped connection. */
export async function dropped(): Promise<void> {
  await reach(() => errors > 0, 'a dropped connection')
}

/** Resolves with every message seen, once there are at least `count`. */
export async function received(count: number): Promise<NativeMessage[]> {
  await reach(() => seen.length >= count, `${count} messages`)
  return seen
}

/** Closes the source; resolves with its readyState afterwards. */
export function close(): number {
  source?.close()
  return source?.readyState ?? -1
}
