import type { LockManagerLike } from './options'

/** One tab's candidacy for the lock of a share. */
export interface Election {
  /** Asks for the lock: once, and again only after {@link Election.withdraw}. */
  stand(): void
  /** Gives the lock back, or takes the request out of the queue. */
  withdraw(): void
}

/** What an {@link Election} tells its tab. */
export interface ElectionHost {
  /** The lock is this tab's: it leads until it withdraws (or the tab dies). */
  won(): void
  /** The lock manager failed the request (an opaque origin, a broken polyfill). */
  refused(): void
}

/**
 * Stands for the exclusive Web Lock `name`. The browser grants it to one request at a time,
 * in the order they were made, and releases it when its holder gives it back or its page
 * dies (a crash included), so the next tab in the queue takes over.
 */
export function createElection(locks: LockManagerLike, name: string, host: ElectionHost): Election {
  // The request standing now; a grant for any other one comes too late and goes back.
  let ticket: AbortController | undefined
  let release: (() => void) | undefined

  const refuse = (own: AbortController) => {
    if (ticket !== own) return
    ticket = undefined
    host.refused()
  }

  return {
    stand() {
      const own = new AbortController()
      ticket = own
      // [Web Locks] the lock is held until the promise the callback returns settles.
      const held = () => {
        if (ticket !== own) return Promise.resolve()
        const holding = new Promise<void>((resolve) => {
          release = resolve
        })
        host.won()
        return holding
      }
      try {
        // A withdrawn request rejects with an AbortError: ours, not a refusal.
        locks
          .request(name, { mode: 'exclusive', signal: own.signal }, held)
          .catch(() => refuse(own))
      } catch {
        refuse(own)
      }
    },
    withdraw() {
      const own = ticket
      ticket = undefined
      release?.()
      release = undefined
      own?.abort()
    },
  }
}
