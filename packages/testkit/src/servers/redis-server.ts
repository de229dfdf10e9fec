import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bounded } from '../wait'
import { freeLoopbackPort } from '../wire/loopback'

/** How to get redis-server when it is missing (Debian and Ubuntu). */
export const REDIS_INSTALL_HINT = 'sudo apt-get install -y redis-server'

/**
 * Options of {@link startRedisServer}.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer({ appendonly: true })
 * ```
 */
export interface RedisServerOptions {
  /** The binary; default `redis-server` on the PATH. */
  bin?: string
  /** `appendonly yes` with `appendfsync always`, so a restart keeps every write. Default off. */
  appendonly?: boolean
  /** Ms to wait for "Ready to accept connections". Default 10,000. */
  startTimeoutMs?: number
  /** `maxclients`: connections Redis accepts (within its open-file limit). Default Redis's 10,000. */
  maxClients?: number
}

/** A redis-server child process on 127.0.0.1 with its own temp dir. */
export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly dir: string
  /** SIGKILLs the process (no save, like a crash) and resolves once it is gone. */
  kill(): Promise<void>
  /** Starts it again on the same port and dir (data survives only with `appendonly`). */
  start(): Promise<void>
  /** Kills it and removes its dir; idempotent. */
  close(): Promise<void>
}

/**
 * Spawns `redis-server` with `args` and resolves once it accepts connections; rejects with
 * its output when it exits or is not ready within `timeoutMs`, and with the install command
 * when the binary is missing.
 */
export async function launchRedis(
  bin: string,
  args: string[],
  timeoutMs: number,
): Promise<ChildProcess> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
  }
  child.stderr?.on('data', collect)
  try {
    await bounded<void>(
      'redis-server to accept connections',
      (resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) =>
          reject(
            error.code === 'ENOENT'
              ? new Error(
                  `redis-server is not installed (${bin}); install it: ${REDIS_INSTALL_HINT}`,
                )
              : error,
          )
        const onExit = (code: number | null) =>
          reject(new Error(`redis-server exited with ${code}:\n${output}`))
        const onData = (chunk: Buffer) => {
          collect(chunk)
          if (output.includes('Ready to accept connections')) resolve()
        }
        child.on('error', onError)
        child.on('exit', onExit)
        child.stdout?.on('data', onData)
        return () => {
          child.off('error', onError)
          child.off('exit', onExit)
          child.stdout?.off('data', onData)
        }
      },
      { timeoutMs, detail: () => `output so far:\n${output}` },
    )
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return child
}

/**
 * Starts `redis-server` on 127.0.0.1 on a free port with a fresh temp dir, no RDB snapshots
 * and (by default) no AOF. Fails with the install command when the binary is missing: tests
 * that need Redis never skip.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer()
 * const client = await createClient({ url: redis.url }).connect()
 * // ...
 * await client.close()
 * await redis.close()
 * ```
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = options.bin ?? 'redis-server'
  const timeoutMs = options.startTimeoutMs ?? 10_000
  const dir = await mkdtemp(join(tmpdir(), 'lifeline-redis-'))
  let port = 0
  let child: ChildProcess | undefined
  let closed = false
  const argsFor = (at: number) => [
    '--port',
    String(at),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendonly === true ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
    ...(options.maxClients === undefined ? [] : ['--maxclients', String(options.maxClients)]),
  ]

  const start = async () => {
    child = await launchRedis(bin, argsFor(port), timeoutMs)
  }
  const kill = async () => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null) return
    const exited = once(running, 'exit')
    running.kill('SIGKILL')
    await exited
  }

  // Another process may take the port between the probe and the bind: try a few.
  for (let attempt = 1; child === undefined; attempt++) {
    port = await freeLoopbackPort()
    try {
      await start()
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('Address already in use')) {
        await rm(dir, { recursive: true, force: true })
        throw error
      }
    }
  }

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    kill,
    start,
    async close() {
      if (closed) return
      closed = true
      await kill()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
