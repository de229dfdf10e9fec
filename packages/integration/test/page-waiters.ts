/**
 * Waits for page scripts: `until(ready)` resolves once `ready()` holds, checked
 * whenever the page calls `settle()` after recording something. The test side bounds the wait.
 */
export function createPageWaiters() {
  let waiters: { ready: () => boolean; resolve: () => void }[] = []
  return {
    /** Forgets every pending wait (a page starting over). */
    clear() {
      waiters = []
    },
    settle() {
      for (const waiter of waiters) if (waiter.ready()) waiter.resolve()
      waiters = waiters.filter((waiter) => !waiter.ready())
    },
    until(ready: () => boolean): Promise<void> {
      if (ready()) return Promise.resolve()
      return new Promise<void>((resolve) => {
        waiters.push({ ready, resolve })
      })
    },
  }
}
