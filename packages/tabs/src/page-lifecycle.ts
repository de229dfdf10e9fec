/**
 * `freeze`: the page stops running (hidden into the back/forward cache, or frozen by the
 * browser); `resume`: it runs again.
 */
export type PageSignal = 'freeze' | 'resume'

/**
 * Where {@link PageSignal}s come from: the browser by default, anything in tests.
 *
 * @example
 * ```ts
 * const listeners = new Set<(signal: PageSignal) => void>()
 * const lifecycle: PageLifecycle = {
 *   subscribe(listener) {
 *     listeners.add(listener)
 *     return () => listeners.delete(listener)
 *   },
 * }
 * tabs({ lifecycle })
 * ```
 */
export interface PageLifecycle {
  /** Calls `listener` on every signal; returns the function that unsubscribes. */
  subscribe(listener: (signal: PageSignal) => void): () => void
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

/**
 * The browser's page lifecycle: `pagehide`/`pageshow` on the window, and the Page
 * Lifecycle API's `freeze`/`resume` on the document (Chromium). Elsewhere nothing.
 */
export const pageLifecycle: PageLifecycle = {
  subscribe(listener) {
    const target = globalThis as unknown as Partial<EventTargetLike> & {
      document?: Partial<EventTargetLike>
    }
    const { document } = target
    if (typeof target.addEventListener !== 'function' || typeof document !== 'object')
      return () => {}
    const win = target as EventTargetLike
    const doc = document as EventTargetLike
    const freeze = () => listener('freeze')
    const resume = () => listener('resume')
    win.addEventListener('pagehide', freeze)
    win.addEventListener('pageshow', resume)
    // [Page Lifecycle] `partial interface Document { attribute EventHandler onfreeze; … onresume }`
    doc.addEventListener('freeze', freeze)
    doc.addEventListener('resume', resume)
    return () => {
      win.removeEventListener('pagehide', freeze)
      win.removeEventListener('pageshow', resume)
      doc.removeEventListener('freeze', freeze)
      doc.removeEventListener('resume', resume)
    }
  },
}
