import { type Client, createClient, type Transport } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { createNotifier, until } from '@lifeline/testkit/wait'
import { websocket } from '@lifeline/websocket'

// Runs in Chromium, once per page load: the reload test starts the client as an app does
// when it loads, and reads what it rendered. A reload wipes the page's memory, so each
// event and gap is also written down the moment it happens, in sessionStorage, which the
// reloaded page reads back. (Not through a Playwright binding: a call made in the last
// moments before the unload is dropped with its document.)

const adapters: Record<string, () => Transport> = {
  'sse-fetch': () => sseFetch(),
  websocket: () => websocket(),
}

/** How the test starts this load's client. */
export interface ReloadConfig {
  adapter: string
  url: string
  /** `persist: { key, storage: localStorage }` when set. */
  persistKey?: string
  from?: 'start'
  /** Which load of the page this is (1, then 2 after the reload), copied into reports. */
  load: number
}

/** What the page writes down as it happens; `at` is `Date.now()`. */
export type Report =
  | { load: number; at: number; kind: 'event'; id: string | undefined; data: string }
  | { load: number; at: number; kind: 'gap' }

const RECORD_KEY = 'reload-test:record'

/** What this load's client shows now. */
export interface ReloadView {
  state: string
  lastEventId: string | undefined
  /** The `data` of every event rendered by this load, in document order. */
  rendered: string[]
  gaps: number
}

let client: Client | undefined
let gaps = 0
const changes = createNotifier()
const list = document.body.appendChild(document.createElement('ol'))

/** Starts this load's client on `config.url` and renders every event it delivers. */
export function start(config: ReloadConfig): void {
  const transport = adapters[config.adapter]
  if (transport === undefined) throw new Error(`no adapter ${config.adapter}`)
  const { load } = config
  client = createClient({
    url: config.url,
    transports: [transport()],
    backoff: { initial: 50, max: 200 },
    ...(config.persistKey === undefined
      ? {}
      : { persist: { key: config.persistKey, storage: localStorage } }),
    ...(config.from === undefined ? {} : { from: config.from }),
  })
  client.on('message', (event) => {
    list.appendChild(document.createElement('li')).textContent = event.data
    // Synchronously, before anything else can run: the unload may come next.
    write({ load, at: Date.now(), kind: 'event', id: event.id, data: event.data })
    changes.notify()
  })
  client.connection.on('gap', () => {
    gaps++
    write({ load, at: Date.now(), kind: 'gap' })
  })
  client.connection.on('state', changes.notify)
}

export function view(): ReloadView {
  return {
    state: client?.connection.state ?? 'not started',
    lastEventId: client?.connection.lastEventId,
    rendered: [...list.querySelectorAll('li')].map((item) => item.textContent ?? ''),
    gaps,
  }
}

/** Resolves with the view once the client is in `state` (`closed`: the hub ended the stream). */
export async function reached(state: string): Promise<ReloadView> {
  await until(() => client?.connection.state === state, `the ${state} state`, {
    wake: changes.wake,
    timeoutMs: 10_000,
  })
  return view()
}

export function stored(key: string): string | null {
  return localStorage.getItem(key)
}

export function store(key: string, value: string): void {
  localStorage.setItem(key, value)
}

/** Every report of every load of this tab, in order. */
export function record(): Report[] {
  return JSON.parse(sessionStorage.getItem(RECORD_KEY) ?? '[]') as Report[]
}

function write(report: Report): void {
  sessionStorage.setItem(RECORD_KEY, JSON.stringify([...record(), report]))
}
