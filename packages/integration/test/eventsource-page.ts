// Runs in Chromium: the browser's own EventSource, no Lifeline code at all.
import { createPageWaiters } from './page-waiters'

/** A message as EventSource dispatched it. */
export interface NativeMessage {
  data: string
  lastEventId: string
}

let source: EventSource | undefined
let seen: NativeMessage[] = []
let errors = 0
const { clear, settle, until } = createPageWaiters()

/** Opens a native EventSource on `url`. */
export function start(url: string): void {
  seen = []
  errors = 0
  clear()
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
  await until(() => source?.readyState === EventSource.OPEN)
}

/** Resolves once the source reported a dropped connection. */
export async function dropped(): Promise<void> {
  await until(() => errors > 0)
}

/** Resolves with every message seen, once there are at least `count`. */
export async function received(count: number): Promise<NativeMessage[]> {
  await until(() => seen.length >= count)
  return seen
}

/** Closes the source; resolves with its readyState afterwards. */
export function close(): number {
  source?.close()
  return source?.readyState ?? -1
}
