/** How soon a read is wanted. */
export type ReadPriority = 'urgent' | 'background'

/**
 * Reads waiting for one of a fixed number of slots. `urgent` ones (a new entry woke the
 * stream, or a reader waits for it) go before `background` ones (a stream looking for what it
 * may have missed, after its start or an outage), so a sweep over every stream never holds
 * up live delivery.
 */
export interface ReadQueue<T> {
  /** Queues `item` (an urgent request moves a queued background one ahead). */
  add(item: T, priority: ReadPriority): void
  delete(item: T): void
  clear(): void
}

/** A queue that runs `read(item)` for at most `slots` items at a time, urgent ones first. */
export function createReadQueue<T>(slots: number, read: (item: T) => Promise<void>): ReadQueue<T> {
  const urgent = new Set<T>()
  const background = new Set<T>()
  let active = 0

  const pump = () => {
    while (active < slots && urgent.size + background.size > 0) {
      const queue = urgent.size > 0 ? urgent : background
      const item = queue.values().next().value as T
      queue.delete(item)
      active++
      void read(item).finally(() => {
        active--
        pump()
      })
    }
  }

  return {
    add(item, priority) {
      if (urgent.has(item) || (priority === 'background' && background.has(item))) return
      if (priority === 'urgent') {
        background.delete(item)
        urgent.add(item)
      } else background.add(item)
      pump()
    },
    delete(item) {
      urgent.delete(item)
      background.delete(item)
    },
    clear() {
      urgent.clear()
      background.clear()
    },
  }
}
