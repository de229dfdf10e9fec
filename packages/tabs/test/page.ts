import { type Client, createClient } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { tabs } from '../src/index'

// Runs in Chromium, one copy per tab: the browser test starts a shared client in each tab
// and reads what its app saw.

/** What one tab's client did, as the test reads it. */
export interface TabView {
  role: string
  state: string
  lastEventId: string | undefined
  /** `data` of every event the app got, in order. */
  data: string[]
  /** The roles this tab took, in order. */
  roles: string[]
  /** Whether the page ran its Page Lifecycle `freeze` handlers. */
  froze: boolean
}

let client: Client | undefined
const data: string[] = []
const roles: string[] = []
let froze = false
document.addEventListener('freeze', () => {
  froze = true
})

/** Starts this tab's client of `url`, shared with the other tabs of the origin. */
export function start(url: string): void {
  client = createClient({
    url,
    transports: [sseFetch()],
    share: tabs({ name: 'browser-test' }),
    backoff: { initial: 50, max: 200 },
  })
  client.on('message', (event) => data.push(event.data))
  client.connection.on('role', ({ to }) => roles.push(to))
}

/**
 * Fires the Page Lifecycle event Chromium fires on the document before it freezes a page
 * (`freeze`) or after it thaws one (`resume`). CDP's `Page.setWebLifecycleState` freezes
 * and thaws a page without firing them (Chromium 156), so the test fires them itself.
 */
export function lifecycle(type: 'freeze' | 'resume'): void {
  document.dispatchEvent(new Event(type))
}

export function current(): TabView {
  const connection = client?.connection
  return {
    role: connection?.role ?? '',
    state: connection?.state ?? '',
    lastEventId: connection?.lastEventId,
    data: [...data],
    roles: [...roles],
    froze,
  }
}
