import { type Client, createClient, type Transport } from '@lifeline/core'
import { longPoll } from '@lifeline/long-poll'
import { sseFetch } from '@lifeline/sse-fetch'
import { sseXhr } from '@lifeline/sse-xhr'
import { type TrackedClock, trackedClock } from '@lifeline/testkit/doubles/tracked-clock'
import { createNotifier, until } from '@lifeline/testkit/wait'
import { websocket } from '@lifeline/websocket'

// Runs in Chromium: the adapter tests drive createClient through these exports.

/** What {@link start} may change about the client, beyond the defaults the tests rely on. */
export interface StartSettings {
  /** The websocket adapter's `protocols` option. */
  protocols?: string[]
  /** Sends `authorization: Bearer t<n>`, `n` counting the calls of the `headers` function. */
  bearer?: boolean
}

/** The shipped adapters by name. */
const adapters: Record<string, (settings: StartSettings) => Transport> = {
  'sse-fetch': () => sseFetch(),
  'sse-xhr': () => sseXhr(),
  websocket: ({ protocols }) => websocket(protocols === undefined ? {} : { protocols }),
  'long-poll': () => longPoll(),
}

/** An event as the page saw it: what the app would get. */
export interface SeenEvent {
  type: string
  data: string
  id: string | undefined
  transport: string
}

let client: Client | undefined
let clock: TrackedClock | undefined
let seen: SeenEvent[] = []
let states: string[] = []
let gaps = 0
let errors: string[] = []
let headersResolved = 0
const changes = createNotifier()
const settle = changes.notify
/** Bounded below the harness's 15 s per call, so a failure names what the page awaited. */
const reach = (ready: () => boolean, what: string) =>
  until(ready, what, { wake: changes.wake, timeoutMs: 10_000 })

/** Creates a client on `url` with one adapter, reconnecting fast so tests stay short. */
export function start(adapter: string, url: string, settings: StartSettings = {}): void {
  const transport = adapters[adapter]
  if (transport === undefined) throw new Error(`no adapter ${adapter}`)
  seen = []
  states = []
  gaps = 0
  errors = []
  headersResolved = 0
  clock = trackedClock()
  const bearer = () => ({ authorization: `Bearer t${++headersResolved}` })
  client = createClient({
    url,
    transports: [transport(settings)],
    backoff: { initial: 50, max: 200 },
    environment: { clock },
    ...(settings.bearer === true ? { headers: bearer } : {}),
  })
  client.on('*', (type, e) => {
    seen.push({ type, data: e.data, id: e.id, transport: e.transport })
    settle()
  })
  client.connection.on('state', ({ to }) => {
    states.push(to)
    settle()
  })
  client.connection.on('gap', () => {
    gaps++
  })
  client.connection.on('error', (error) => {
    const status = error.reason?.kind === 'http' ? error.reason.status : ''
    errors.push(`${error.code} ${error.reason?.kind ?? ''} ${status}`.trim())
    settle()
  })
}

/** The errors the client reported (`<code> <reason kind> [<status>]`), once there are `count`. */
export async function failed(count: number): Promise<string[]> {
  await reach(() => errors.length >= count, `${count} errors`)
  return errors
}

/** Resolves with every event seen, once there are at least `count`. */
export async function received(count: number): Promise<SeenEvent[]> {
  await reach(() => seen.length >= count, `${count} events`)
  return seen
}

/** Resolves once the connection is open (again). */
export async function opened(): Promise<void> {
  await reach(() => client?.connection.state === 'open', 'the open state')
}

/** The client's state and counters now, and the delays of its timers still to fire. */
export function status(): {
  state: string | undefined
  connects: number
  headersResolved: number
  online: boolean
  pendingTimers: number[]
} {
  return {
    state: client?.connection.state,
    connects: client?.connection.diagnostics().connects ?? 0,
    headersResolved,
    online: navigator.onLine,
    pendingTimers: clock?.pending() ?? [],
  }
}

/** Resolves once the client's state is `state`. */
export async function reached(state: string): Promise<void> {
  await reach(() => client?.connection.state === state, `the ${state} state`)
}

/** Closes the client; returns the states it went through, the gaps it saw, its timers left. */
export function close(): {
  states: string[]
  gaps: number
  state: string | undefined
  pendingTimers: number[]
} {
  client?.close()
  return { states, gaps, state: client?.connection.state, pendingTimers: clock?.pending() ?? [] }
}

/** What {@link bulk} measured. */
export interface BulkResult {
  received: number
  /** Events whose id was not the one after the previous event's. */
  outOfOrder: number
  ms: number
  eventsPerSecond: number
  /** State changes to `reconnecting`: one per recycle or drop. */
  reconnects: number
  gaps: number
}

/**
 * Streams until event `total` through createClient with one adapter, checking each id is
 * the previous plus one, keeping no event (so the heap measures the client, not the test).
 */
export function bulk(adapter: string, url: string, total: number, maxResponseBytes?: number) {
  const transport =
    adapter === 'sse-xhr' && maxResponseBytes !== undefined
      ? sseXhr({ maxResponseBytes })
      : adapters[adapter]?.({})
  if (transport === undefined) throw new Error(`no adapter ${adapter}`)
  return new Promise<BulkResult>((resolve) => {
    let last = 0
    let received = 0
    let outOfOrder = 0
    let reconnects = 0
    let gapCount = 0
    const begin = performance.now()
    const run = createClient({ url, transports: [transport], backoff: { initial: 50, max: 200 } })
    run.connection.on('state', ({ to }) => {
      if (to === 'reconnecting') reconnects++
    })
    run.connection.on('gap', () => {
      gapCount++
    })
    run.on('message', (e) => {
      received++
      const id = Number(e.id)
      if (id !== last + 1) outOfOrder++
      last = id
      if (id !== total) return
      run.close()
      const ms = performance.now() - begin
      resolve({
        received,
        outOfOrder,
        ms,
        eventsPerSecond: Math.round((received / ms) * 1000),
        reconnects,
        gaps: gapCount,
      })
    })
  })
}

/** What {@link recycling} saw. */
export interface RecyclingResult {
  ids: (string | undefined)[]
  /** State changes to `reconnecting`: one per recycle. */
  reconnects: number
  /** Backoff waits: a recycle must never cause one. */
  retries: number
  gaps: number
}

/**
 * Runs sse-xhr with a small `maxResponseBytes` until `total` events arrived. The backoff is
 * long on purpose: a recycle that waited for it would show as a `retry` and a slow test.
 */
export function recycling(
  url: string,
  total: number,
  maxResponseBytes: number,
): Promise<RecyclingResult> {
  return new Promise((resolve) => {
    const result: RecyclingResult = { ids: [], reconnects: 0, retries: 0, gaps: 0 }
    const run = createClient({
      url,
      transports: [sseXhr({ maxResponseBytes })],
      backoff: { initial: 5_000, max: 5_000 },
    })
    run.connection.on('state', ({ to }) => {
      if (to === 'reconnecting') result.reconnects++
    })
    run.connection.on('retry', () => {
      result.retries++
    })
    run.connection.on('gap', () => {
      result.gaps++
    })
    run.on('message', (e) => {
      result.ids.push(e.id)
      if (result.ids.length < total) return
      run.close()
      resolve(result)
    })
  })
}
