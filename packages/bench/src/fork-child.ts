import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** A running client process and the messages it sends. */
export interface ChildHandle {
  readonly process: ChildProcess
  /** The next message of `kind` (earlier ones wait in a queue), within `timeoutMs`. */
  next<T>(kind: string, timeoutMs?: number): Promise<T>
  send(message: unknown): void
  /** Disconnects (the child exits on it) and resolves once it has. */
  stop(): Promise<void>
}

/** Where the bundled child script sits: next to the bundled runner in `.out/`. */
const CHILD_SCRIPT = fileURLToPath(new URL('./child.mjs', import.meta.url))

/** `LIFELINE_BENCH_CPU_PROF=<dir>`: every child writes a V8 CPU profile there. */
const profileDir = process.env.LIFELINE_BENCH_CPU_PROF
const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []

/**
 * Forks `.out/child.mjs` (or another bundled `script`) with a task and its spec. Messages use the advanced serialisation,
 * so typed arrays (latency histograms) cross as they are.
 *
 * @example
 * ```ts
 * const child = forkChild('throughput', { pipe: 'sse', variant: 'raw', url, lastEventId, count })
 * const result = await child.next<{ value: ClientCost }>('result')
 * await child.stop()
 * ```
 */
export function forkChild(
  task: string,
  spec: unknown,
  execArgv: string[] = [],
  script = CHILD_SCRIPT,
): ChildHandle {
  const child = fork(script, [task, JSON.stringify(spec)], {
    execArgv: [...execArgv, ...profiling],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const queue: { kind: string }[] = []
  const waiters: { kind: string; resolve(message: { kind: string }): void }[] = []
  let exit: string | undefined
  const failures = new Set<(error: Error) => void>()
  child.on('message', (message: { kind: string }) => {
    const index = waiters.findIndex((waiter) => waiter.kind === message.kind)
    if (index === -1) queue.push(message)
    else waiters.splice(index, 1)[0]!.resolve(message)
  })
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = `child ${task} exited (${signal ?? code})`
      for (const fail of failures) fail(new Error(exit))
      resolve()
    })
  })
  return {
    process: child,
    next<T>(kind: string, timeoutMs = 300_000) {
      const queued = queue.findIndex((message) => message.kind === kind)
      if (queued !== -1) return Promise.resolve(queue.splice(queued, 1)[0] as T)
      if (exit !== undefined) return Promise.reject(new Error(exit))
      return new Promise<T>((resolve, reject) => {
        const fail = (error: Error) => {
          clearTimeout(timer)
          failures.delete(fail)
          reject(error)
        }
        const timer = setTimeout(
          () => fail(new Error(`child ${task}: no ${kind} within ${timeoutMs} ms`)),
          timeoutMs,
        )
        failures.add(fail)
        waiters.push({
          kind,
          resolve(message) {
            clearTimeout(timer)
            failures.delete(fail)
            resolve(message as T)
          },
        })
      })
    },
    send(message) {
      child.send(message as object)
    },
    async stop() {
      if (exit === undefined) {
        if (child.connected) child.disconnect()
        else child.kill()
      }
      await exited
    },
  }
}
