import type {
  BroadcastChannelConstructor,
  BroadcastChannelLike,
  LockManagerLike,
  PageLifecycle,
  PageSignal,
} from '../src/index'

/** One page of a {@link FakeBrowser}: what `tabs()` takes from the browser, and its fate. */
export interface FakeTab {
  readonly locks: LockManagerLike
  readonly BroadcastChannel: BroadcastChannelConstructor
  readonly lifecycle: PageLifecycle
  /** Runs no task until {@link FakeTab.resume}; fires `freeze` first (pagehide, or frozen). */
  freeze(): void
  /** Fires `resume`, then runs at once what waited. */
  resume(): void
  /** The page dies: its locks go back, its channels go quiet, none of its tasks runs. */
  crash(): void
}

/** The tabs of one origin in one browser: their Web Locks and BroadcastChannels. */
export interface FakeBrowser {
  tab(): FakeTab
  /** The name and the tab index of each lock's holder, then of the requests queued. */
  locks(): Record<string, { held: number | undefined; queued: number[] }>
  /** Channels not closed, by name. */
  channels(): Record<string, number>
  /**
   * Runs the tasks of every tab in order, and the tasks those start, until none is left;
   * throws past 10,000: something loops. Timers (fake or real) play no part.
   */
  settle(): Promise<void>
  /** Lets promise reactions run (a lock given back is granted anew), but no task. */
  reactions(): Promise<void>
}

interface TabState {
  index: number
  frozen: boolean
  dead: boolean
  /** Tasks that came while the page was frozen, to run when it resumes. */
  waiting: (() => void)[]
}

interface LockRequest {
  tab: TabState
  callback: () => Promise<void>
  resolve(value: unknown): void
  reject(error: unknown): void
}

// Captured before a test fakes the timers: settling must not depend on them.
const realSetImmediate = globalThis.setImmediate

const abortError = () => new DOMException('The request was aborted.', 'AbortError')

/**
 * Tabs of one origin in one process. Each lock grant and each channel message is a task of
 * the receiving tab, run by {@link FakeBrowser.settle} in order, as in a browser: locks are granted in request order and
 * released when the holder's promise settles or its page dies; a message is cloned
 * (throwing a `DataCloneError` as `postMessage` does) and reaches every other open
 * channel of the same name, in the order it was posted.
 */
export function fakeBrowser(): FakeBrowser {
  const tabs: TabState[] = []
  const locks = new Map<string, { holder: LockRequest | undefined; queue: LockRequest[] }>()
  const channels = new Set<{ tab: TabState; name: string; deliver(data: unknown): void }>()

  const queue: { tab: TabState; run: () => void }[] = []
  const task = (tab: TabState, run: () => void) => void queue.push({ tab, run })
  const runTask = ({ tab, run }: { tab: TabState; run: () => void }) => {
    if (tab.dead) return
    if (tab.frozen) tab.waiting.push(run)
    else run()
  }

  const lockOf = (name: string) => {
    let lock = locks.get(name)
    if (lock === undefined) {
      lock = { holder: undefined, queue: [] }
      locks.set(name, lock)
    }
    return lock
  }

  const grantNext = (name: string) => {
    const lock = lockOf(name)
    const next = lock.holder === undefined ? lock.queue.shift() : undefined
    if (next === undefined) return
    lock.holder = next
    const release = () => {
      if (lock.holder !== next) return
      lock.holder = undefined
      grantNext(name)
    }
    task(next.tab, () => {
      let held: Promise<void>
      try {
        held = Promise.resolve(next.callback())
      } catch (error) {
        held = Promise.reject(error)
      }
      held.then(
        (value) => {
          release()
          next.resolve(value)
        },
        (error: unknown) => {
          release()
          next.reject(error)
        },
      )
    })
  }

  const lockManager = (tab: TabState): LockManagerLike => ({
    request(name, options, callback) {
      return new Promise((resolve, reject) => {
        if (options.signal.aborted) return reject(abortError())
        const request: LockRequest = { tab, callback, resolve, reject }
        const lock = lockOf(name)
        lock.queue.push(request)
        options.signal.addEventListener('abort', () => {
          // [Web Locks] aborting a request still in the queue removes it; a granted one stays.
          const at = lock.queue.indexOf(request)
          if (at < 0) return
          lock.queue.splice(at, 1)
          reject(abortError())
        })
        grantNext(name)
      })
    },
  })

  const channelClass = (tab: TabState): BroadcastChannelConstructor =>
    class FakeChannel implements BroadcastChannelLike {
      readonly #listeners: ((event: { data: unknown }) => void)[] = []
      readonly #end: { tab: TabState; name: string; deliver(data: unknown): void }
      #closed = false

      constructor(name: string) {
        this.#end = {
          tab,
          name,
          deliver: (data) => {
            for (const listener of this.#listeners) listener({ data })
          },
        }
        channels.add(this.#end)
      }

      postMessage(message: unknown) {
        if (this.#closed) throw new DOMException('The channel is closed.', 'InvalidStateError')
        const serialized = structuredClone(message)
        for (const other of channels) {
          if (other === this.#end || other.name !== this.#end.name) continue
          task(other.tab, () => {
            if (channels.has(other)) other.deliver(structuredClone(serialized))
          })
        }
      }

      addEventListener(type: 'message', listener: (event: { data: unknown }) => void) {
        if (type === 'message') this.#listeners.push(listener)
      }

      close() {
        this.#closed = true
        channels.delete(this.#end)
      }
    }

  return {
    tab() {
      const state: TabState = { index: tabs.length, frozen: false, dead: false, waiting: [] }
      tabs.push(state)
      const listeners = new Set<(signal: PageSignal) => void>()
      const fire = (signal: PageSignal) => {
        for (const listener of [...listeners]) listener(signal)
      }
      return {
        locks: lockManager(state),
        BroadcastChannel: channelClass(state),
        lifecycle: {
          subscribe(listener) {
            listeners.add(listener)
            return () => listeners.delete(listener)
          },
        },
        freeze() {
          fire('freeze')
          state.frozen = true
        },
        resume() {
          state.frozen = false
          fire('resume')
          // In the order they came, before any task that comes later.
          for (const run of state.waiting.splice(0)) run()
        },
        crash() {
          state.dead = true
          for (const end of channels) if (end.tab === state) channels.delete(end)
          for (const [name, lock] of locks) {
            lock.queue = lock.queue.filter((request) => request.tab !== state)
            if (lock.holder?.tab === state) {
              lock.holder = undefined
              grantNext(name)
            }
          }
        },
      }
    },
    locks() {
      return Object.fromEntries(
        [...locks].map(([name, lock]) => [
          name,
          { held: lock.holder?.tab.index, queued: lock.queue.map((request) => request.tab.index) },
        ]),
      )
    },
    reactions: () => new Promise((resolve) => realSetImmediate(resolve)),
    async settle() {
      for (let round = 0; ; round++) {
        // Promise reactions (a lock given back) run before the next task, as in a browser.
        await this.reactions()
        const next = queue.shift()
        if (next === undefined) return
        if (round > 10_000) throw new Error('the tabs keep sending each other tasks: a loop')
        runTask(next)
      }
    },
    channels() {
      const open: Record<string, number> = {}
      for (const end of channels) open[end.name] = (open[end.name] ?? 0) + 1
      return open
    },
  }
}
