/**
 * The ids of the most recently delivered events, bounded in count: a ring of ids beside a
 * `Set`, so checking and recording an id is O(1) per event.
 */
export interface DuplicateWindow {
  has(id: string): boolean
  add(id: string): void
  clear(): void
}

/** Creates a window that remembers the last `size` ids. */
export function createDuplicateWindow(size: number): DuplicateWindow {
  const ring: (string | undefined)[] = new Array(size)
  const seen = new Set<string>()
  let next = 0
  return {
    has: (id) => seen.has(id),
    add(id) {
      const evicted = ring[next]
      if (evicted !== undefined) seen.delete(evicted)
      ring[next] = id
      seen.add(id)
      next = next + 1 === size ? 0 : next + 1
    },
    clear() {
      ring.fill(undefined)
      seen.clear()
      next = 0
    },
  }
}
