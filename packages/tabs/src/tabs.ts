import type { ShareOption } from '@lifeline/core'
import { joinTabs } from './membership'
import { type LockManagerLike, resolveOptions, type TabsOptions } from './options'

const browserLocks = () =>
  (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks

/**
 * One connection per browser: clients for the same URL and `name` in the tabs of one
 * origin share one physical connection. A Web Lock elects the tab that holds it (the
 * leader); a `BroadcastChannel` relays its events, connection events and resume point to
 * the others, which mirror its state. A newcomer gets a snapshot of the connection; when
 * the leader closes, crashes, is frozen or hidden into the back/forward cache, the next
 * tab leads and resumes from the last id relayed, so no tab loses or repeats an event.
 * Where the browser lacks Web Locks or `BroadcastChannel`, a client connects on its own
 * (`connection.role` is `'single'`).
 *
 * @example
 * ```ts
 * import { createClient } from '@lifeline/core'
 * import { sseFetch } from '@lifeline/sse-fetch'
 * import { tabs } from '@lifeline/tabs'
 *
 * const client = createClient({ url: '/events', transports: [sseFetch()], share: tabs() })
 * client.connection.on('role', ({ to }) => console.log(`this tab is now the ${to}`))
 * ```
 */
export function tabs(options: TabsOptions = {}): ShareOption {
  const resolved = resolveOptions(options)
  return {
    join(member) {
      const locks = resolved.locks ?? browserLocks()
      const BroadcastChannel = resolved.BroadcastChannel ?? globalThis.BroadcastChannel
      if (locks === undefined || typeof BroadcastChannel !== 'function') return undefined
      return joinTabs(member, {
        // One string naming both, with nothing a name could inject to look like another URL.
        key: `lifeline-tabs ${JSON.stringify([resolved.name, member.url])}`,
        locks,
        BroadcastChannel,
        lifecycle: resolved.lifecycle,
      })
    },
  }
}
