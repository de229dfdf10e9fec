/**
 * The ids of the most recently delivered events, bounded in count, checked and recorded in
 * O(1) per event.
 */
export interface DuplicateWindow {
  has(id: string): boolean
  add(id: string): void
  clear(): void
}

/**
 * Creates a window that remembers at least the last `size` ids (and at most twice that).
 * Two generations of `size` ids each: when the newer fills up it becomes the older one and
 * the older is dropped whole. Nothing is deleted per event, so a busy stream causes no
 * hash-table churn, and an idle client holds two empty sets.
 */
export function createDuplicateWindow(size: number): DuplicateWindow {
  let newer = new Set<string>()
  let older = new Set<string>()
  return {
    has: (id) => newer.has(id) || older.has(id),
    add(id) {
      if (newer.size === size) {
        older = newer
        newer = new Set()
      }
      newer.add(id)
    },
    clear() {
      newer = new Set()
      older = new Set()
    },
  }
}
