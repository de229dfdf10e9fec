import type { ChildProcess } from 'node:child_process'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freeLoopbackPort } from '../wire/loopback'
import { launchRedis, REDIS_INSTALL_HINT } from './redis-server'

const run = promisify(execFile)
const SLOTS = 16_384

/**
 * Options of {@link startRedisCluster}.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_000 })
 * ```
 */
export interface RedisClusterOptions {
  /** Masters the slots are spread over. Default 3, the least `redis-cli --cluster create` takes. */
  masters?: number
  /** Replicas of each master, so a master can die and one take over. Default 1. */
  replicasPerMaster?: number
  /**
   * `cluster-node-timeout`: ms without an answer before a node counts as failing, which is
   * also about how long a failover takes. Default 1,000 (Redis's own is 15,000).
   */
  nodeTimeoutMs?: number
  /** The binaries; default `redis-server` and `redis-cli` on the PATH. */
  bin?: string
  cliBin?: string
  /** Ms the whole start may take. Default 30,000. */
  startTimeoutMs?: number
}

/** One redis-server process of the cluster. */
export interface RedisClusterNode {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Whether its process runs (false once killed). */
  readonly running: boolean
  /** SIGKILLs it (no save, like a crash) and resolves once it is gone; idempotent. */
  kill(): Promise<void>
  /**
   * SIGSTOPs it until {@link resume}: it stops answering, and a replica stops taking its
   * master's writes, so a failover can lose what the master acknowledged meanwhile.
   */
  pause(): void
  /** SIGCONTs it. */
  resume(): void
}

/** A Redis Cluster of redis-server child processes on 127.0.0.1, in one temp dir. */
export interface RedisCluster {
  readonly nodes: readonly RedisClusterNode[]
  /** For node-redis: `createCluster({ rootNodes: cluster.rootNodes })`. */
  readonly rootNodes: { url: string }[]
  /** The node serving `key`'s slot as master now, as a running node sees it. */
  masterOf(key: string): Promise<RedisClusterNode>
  /** The running replicas of `master`, as a running node sees them. */
  replicasOf(master: RedisClusterNode): Promise<RedisClusterNode[]>
  /**
   * Resolves once every running node reports `cluster_state:ok` and sees every slot served
   * by a running master (after a kill: once a replica took over); rejects after `timeoutMs`.
   */
  settled(timeoutMs?: number): Promise<void>
  /** Kills every node and removes the dir; idempotent. */
  close(): Promise<void>
}

interface NodeView {
  id: string
  port: number
  flags: string[]
  /** The id of its master, for a replica. */
  master: string
  /** Slot ranges it serves, inclusive. */
  slots: [number, number][]
}

/** `CLUSTER NODES` taken apart: `<id> <ip:port@bus> <flags> <master> … <link> <slots…>`. */
function parseNodes(text: string): NodeView[] {
  const views: NodeView[] = []
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ')
    if (fields.length < 8) continue
    const port = Number(fields[1]!.split('@')[0]!.split(':').at(-1))
    const slots: [number, number][] = []
    for (const range of fields.slice(8)) {
      // Slots being imported or migrated are listed in brackets; they are not served yet.
      if (range.startsWith('[')) continue
      const [from, to] = range.split('-').map(Number) as [number, number?]
      slots.push([from, to ?? from])
    }
    views.push({ id: fields[0]!, port, flags: fields[2]!.split(','), master: fields[3]!, slots })
  }
  return views
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Starts a Redis Cluster on loopback: `masters × (1 + replicasPerMaster)` redis-server
 * processes with `--cluster-enabled yes` on ports the OS says are free (client and bus port
 * each), joined with `redis-cli --cluster create`, and resolves once every slot is served
 * and every replica is in sync. No persistence: a killed node loses what it held. Fails with
 * the install command when a binary is missing: tests that need it never skip.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster()
 * const client = await createCluster({ rootNodes: cluster.rootNodes }).connect()
 * // ...
 * await client.close()
 * await cluster.close()
 * ```
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3
  const replicas = options.replicasPerMaster ?? 1
  const bin = options.bin ?? 'redis-server'
  const cli = options.cliBin ?? 'redis-cli'
  const timeoutMs = options.startTimeoutMs ?? 30_000
  const nodeTimeout = options.nodeTimeoutMs ?? 1_000
  const dir = await mkdtemp(join(tmpdir(), 'lifeline-redis-cluster-'))
  const processes = new Map<number, ChildProcess>()
  let closed = false

  const command = async (port: number, ...args: string[]) => {
    try {
      const { stdout } = await run(cli, ['-h', '127.0.0.1', '-p', String(port), ...args], {
        timeout: 5_000,
      })
      return stdout
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error(`redis-cli is not installed (${cli}); install it: ${REDIS_INSTALL_HINT}`)
      throw error
    }
  }

  const nodeOf = (port: number): RedisClusterNode => ({
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return processes.has(port)
    },
    async kill() {
      const child = processes.get(port)
      processes.delete(port)
      if (child === undefined || child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
    },
    pause() {
      processes.get(port)?.kill('SIGSTOP')
    },
    resume() {
      processes.get(port)?.kill('SIGCONT')
    },
  })

  const startNode = async () => {
    // Another process may take a port between the probe and the bind: try a few.
    for (let attempt = 1; ; attempt++) {
      const [port, bus] = [await freeLoopbackPort(), await freeLoopbackPort()]
      const args = [
        '--port',
        String(port),
        '--cluster-port',
        String(bus),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        String(nodeTimeout),
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ]
      try {
        processes.set(port, await launchRedis(bin, args, timeoutMs))
        return port
      } catch (error) {
        if (attempt >= 3 || !String(error).includes('Address already in use')) throw error
      }
    }
  }

  const runningPorts = () => [...processes.keys()]

  const viewOf = async (port: number) => parseNodes(await command(port, 'CLUSTER', 'NODES'))

  /** Whether `port` sees every slot served by a running master and says the cluster is ok. */
  const healthyFrom = async (port: number) => {
    if (!(await command(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false
    let covered = 0
    for (const view of await viewOf(port)) {
      if (!view.flags.includes('master') || view.flags.includes('fail')) continue
      if (!processes.has(view.port)) return false
      for (const [from, to] of view.slots) covered += to - from + 1
    }
    return covered === SLOTS
  }

  const settled = async (bound = timeoutMs) => {
    const deadline = Date.now() + bound
    for (;;) {
      const ok = await Promise.all(runningPorts().map(healthyFrom)).then(
        (all) => all.every(Boolean),
        () => false,
      )
      if (ok) return
      if (Date.now() > deadline) throw new Error(`the cluster did not settle within ${bound} ms`)
      await wait(50)
    }
  }

  /** Whether every replica has finished its first sync with its master. */
  const replicasInSync = async () => {
    for (const port of runningPorts()) {
      const info = await command(port, 'INFO', 'replication')
      if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false
    }
    return true
  }

  const close = async () => {
    if (closed) return
    closed = true
    await Promise.all(runningPorts().map((port) => nodeOf(port).kill()))
    await rm(dir, { recursive: true, force: true })
  }

  try {
    const ports: number[] = []
    for (let i = 0; i < masters * (1 + replicas); i++) ports.push(await startNode())
    await command(
      ports[0]!,
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    )
    await settled()
    const deadline = Date.now() + timeoutMs
    while (!(await replicasInSync())) {
      if (Date.now() > deadline) throw new Error('the replicas did not sync in time')
      await wait(50)
    }
    const nodes = ports.map(nodeOf)
    return {
      nodes,
      rootNodes: nodes.map((node) => ({ url: node.url })),
      async masterOf(key) {
        const [port] = runningPorts()
        if (port === undefined) throw new Error('no node of the cluster runs')
        const slot = Number((await command(port, 'CLUSTER', 'KEYSLOT', key)).trim())
        for (const view of await viewOf(port)) {
          if (!view.flags.includes('master') || view.flags.includes('fail')) continue
          if (view.slots.some(([from, to]) => slot >= from && slot <= to))
            return nodes.find((node) => node.port === view.port) ?? nodeOf(view.port)
        }
        throw new Error(`no master serves slot ${slot} now`)
      },
      async replicasOf(master) {
        const [port] = runningPorts().filter((running) => running !== master.port)
        if (port === undefined) throw new Error('no other node of the cluster runs')
        const views = await viewOf(port)
        const id = views.find((view) => view.port === master.port)?.id
        return views
          .filter((view) => view.master === id && processes.has(view.port))
          .map((view) => nodes.find((node) => node.port === view.port) ?? nodeOf(view.port))
      },
      settled,
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
