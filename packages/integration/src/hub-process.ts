import { type ChildProcess, fork } from 'node:child_process'
import { bundleForNode } from '@lifeline/testkit/bundle/node-bundle'
import { bounded } from '@lifeline/testkit/wait'

/** What the parent tells the child: publish `total` events at a steady rate. */
export interface ParentMessage {
  total: number
  perSecond: number
}

/** What the child reports. */
export type ChildMessage =
  | { kind: 'listening'; port: number }
  | { kind: 'id'; seq: number; id: string }
  | { kind: 'done' }

/** A hub server running in a child process, which a test can kill. */
export interface HubProcess {
  readonly port: number
  /** Ids of the events the child reported as published, in order. */
  readonly ids: string[]
  /** Publishes `1..total` at `perSecond`; resolves when the child reports it done. */
  publish(total: number, perSecond: number): Promise<void>
  /** `SIGKILL`: no close event, no FIN from the hub, no flush. Resolves once it exited. */
  kill(): Promise<void>
}

/**
 * Starts a hub server (in-memory log, SSE and WebSocket on `/events`) in a child process.
 *
 * @example
 * ```ts
 * const server = await startHubProcess()
 * await server.publish(100, 1_000)
 * await server.kill()
 * ```
 */
export async function startHubProcess(): Promise<HubProcess> {
  const script = await bundleForNode(new URL('./hub-process-main.ts', import.meta.url))
  const child: ChildProcess = fork(script, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const ids: string[] = []
  let finished: (() => void) | undefined
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let listening: ((port: number) => void) | undefined
  child.on('message', (message: ChildMessage) => {
    if (message.kind === 'listening') listening?.(message.port)
    else if (message.kind === 'id') ids.push(message.id)
    else finished?.()
  })
  const port = await bounded<number>(
    'the hub process to listen',
    (resolve, reject) => {
      listening = resolve
      const failed = (code: number | null) =>
        reject(new Error(`the hub process exited with ${code}`))
      child.once('exit', failed)
      return () => child.off('exit', failed)
    },
    { timeoutMs: 10_000 },
  )
  return {
    port,
    ids,
    publish(total, perSecond) {
      const done = new Promise<void>((resolve) => {
        finished = resolve
      })
      // A send to a process already killed fails in the callback (else an uncaught 'error');
      // `exited` settles the race then.
      child.send({ total, perSecond } satisfies ParentMessage, () => {})
      return Promise.race([done, exited])
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      return exited
    },
  }
}
