import { type ChildProcess, fork } from 'node:child_process'
import { bundleForNode } from '@lifeline/testkit/bundle/node-bundle'
import type { RedisServer } from './redis'

/** Options of the instance's `redisLog`, passed to the child. */
export interface InstanceOptions {
  maxLen?: number
}

/** What the parent asks the child: publish `data` on the stream `events`. */
export interface ParentMessage {
  seq: number
  data: string
}

/** A failure as it crosses the IPC channel: the `LifelineError` code, if there was one. */
export interface ReportedError {
  code: string
  message: string
}

/** What the child reports. */
export type ChildMessage =
  | { kind: 'listening'; port: number }
  | { kind: 'published'; seq: number; id: string }
  | ({ kind: 'failed'; seq: number } & ReportedError)
  | ({ kind: 'error' } & ReportedError)

/**
 * One server instance in its own Node process: its own Redis connection, `redisLog`, hub
 * and http server on 127.0.0.1 serving SSE and WebSocket on `/events`.
 */
export interface Instance {
  readonly name: string
  readonly port: number
  /** What the log's and the hub's `onError` reported, in order. */
  readonly errors: ReportedError[]
  /**
   * Publishes on `events` in the child; resolves to the id, or rejects with the error's
   * `code` (`'unavailable'` during an outage), or when the process is gone.
   */
  publish(data: string): Promise<string>
  /** `SIGKILL`: no close event, no FIN flushed by the hub. Resolves once it exited; idempotent. */
  kill(): Promise<void>
}

const childScript = () => bundleForNode(new URL('./instance-main.ts', import.meta.url))

/** Starts instance `name` on `redis` and resolves once it listens. */
export async function startInstance(
  name: string,
  redis: RedisServer,
  options: InstanceOptions = {},
): Promise<Instance> {
  const child: ChildProcess = fork(await childScript(), [redis.url, JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const errors: ReportedError[] = []
  const pending = new Map<number, { resolve(id: string): void; reject(error: Error): void }>()
  let seq = 0
  const gone = () => new Error(`instance ${name} exited`)
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      for (const { reject } of pending.values()) reject(gone())
      pending.clear()
      resolve()
    }),
  )
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`instance ${name} did not listen within 10 s`))
    }, 10_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`instance ${name} exited with ${code} before it listened`))
    })
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'listening') {
        clearTimeout(timer)
        resolve(message.port)
      } else if (message.kind === 'error')
        errors.push({ code: message.code, message: message.message })
      else {
        const request = pending.get(message.seq)
        pending.delete(message.seq)
        if (message.kind === 'published') request?.resolve(message.id)
        else
          request?.reject(
            Object.assign(new Error(`${name}: ${message.message}`), { code: message.code }),
          )
      }
    })
  })
  return {
    name,
    port,
    errors,
    publish(data) {
      if (!child.connected) return Promise.reject(gone())
      return new Promise((resolve, reject) => {
        seq++
        const sent = seq
        pending.set(sent, { resolve, reject })
        // A SIGKILL can land between the `connected` check and the write: the callback takes
        // the EPIPE, which would otherwise surface as an uncaught 'error' on the child.
        child.send({ seq: sent, data } satisfies ParentMessage, (error) => {
          if (error === null || !pending.delete(sent)) return
          reject(gone())
        })
      })
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      return exited
    },
  }
}
