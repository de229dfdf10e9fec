import { LifelineError } from '../errors'
import { exceedsBytes } from '../transport/message-size'
import type { Clock, TimerHandle } from './environment'

/**
 * Where a resume point is kept across page loads: `sessionStorage`, `localStorage`, or any
 * object with the Web Storage methods, sync or returning promises (React Native's
 * AsyncStorage, IndexedDB wrappers).
 */
export interface ResumeStorage {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>
  setItem(key: string, value: string): void | Promise<void>
  removeItem(key: string): void | Promise<void>
}

/**
 * The `persist` option: keep the resume point under `key` in `storage`.
 *
 * @example
 * ```ts
 * createClient({ url, transports, persist: { key: 'answer-42', storage: sessionStorage } })
 * ```
 */
export interface PersistOptions {
  key: string
  storage: ResumeStorage
}

/** The resume point's copy in storage, written at most every 250 ms. */
export interface Persistence {
  /** The stored point, once read; `undefined` for none, a bad value or a failing storage. */
  read(): string | undefined | Promise<string | undefined>
  /** The resume point changed: write it within 250 ms. Cheap: called for every event. */
  changed(): void
  /** Writes now, if anything changed (`pagehide`, `close()`). */
  flush(): void
}

const WRITE_EVERY_MS = 250

/**
 * Creates the persistence of one client; `current` reads its resume point, `report` is
 * told of a storage that fails (the stream goes on without it).
 */
export function createPersistence(
  { key, storage }: PersistOptions,
  limits: { clock: Clock; maxIdBytes: number },
  current: () => string | undefined,
  report: (error: LifelineError) => void,
): Persistence {
  const { clock } = limits
  let timer: TimerHandle | undefined
  let dirty = false
  const failed = (cause: unknown) =>
    report(new LifelineError('storage', 'the persist storage failed', { cause }))
  // A stored value is only a hint: anything but an id the client could have kept is ignored.
  const valid = (value: unknown) =>
    typeof value === 'string' && value !== '' && !exceedsBytes(value, limits.maxIdBytes)
      ? value
      : undefined
  const settle = (write: void | Promise<void>) => {
    if (write instanceof Promise) write.catch(failed)
  }

  const flush = () => {
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
    if (!dirty) return
    dirty = false
    const lastEventId = current()
    try {
      // A dropped point (a gap) is removed, so a reload does not resume behind it.
      settle(
        lastEventId === undefined ? storage.removeItem(key) : storage.setItem(key, lastEventId),
      )
    } catch (cause) {
      failed(cause)
    }
  }

  return {
    read() {
      try {
        const value = storage.getItem(key)
        if (!(value instanceof Promise)) return valid(value)
        return value.then(valid, (cause: unknown) => {
          failed(cause)
          return undefined
        })
      } catch (cause) {
        failed(cause)
        return undefined
      }
    },
    changed() {
      dirty = true
      timer ??= clock.setTimeout(flush, WRITE_EVERY_MS)
    },
    flush,
  }
}
