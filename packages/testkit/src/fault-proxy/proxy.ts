import { createServer, type Server, type Socket } from 'node:net'
import { createPrng, type Prng } from '../doubles/prng'
import { bounded } from '../wait'
import {
  Connection,
  finishSocket,
  type ProxyConnection,
  resetSocket,
  type Upstream,
} from './connection'
import {
  assertFault,
  type CutMode,
  type Fault,
  type RandomFaultOptions,
  randomFault,
} from './faults'
import { matchesRoute, needsRequest, type RouteMatch, type SniffedRequest } from './http-sniff'

export type { ProxyConnection, Upstream } from './connection'
export type { CutMode, Fault, FaultKind, RandomFaultOptions } from './faults'
export { describeFault } from './faults'
export type { RouteMatch, SniffedRequest } from './http-sniff'

/**
 * Options of {@link createFaultProxy}.
 *
 * @example
 * ```ts
 * const options: FaultProxyOptions = { upstream: { port: server.port }, seed: 7 }
 * ```
 */
export interface FaultProxyOptions {
  /** Where to forward; `host` defaults to `127.0.0.1`. */
  upstream: { host?: string; port: number }
  /** Seed of {@link FaultProxy.randomFault} (default 1). */
  seed?: number
  /** Default bound of the `next*` waits, in ms (default 5 000). */
  waitTimeoutMs?: number
}

/**
 * How {@link FaultProxy.refuse} turns new connections away: `'reset'` accepts and resets
 * (`ECONNRESET`), `'close'` accepts and ends at once (FIN, no byte), `'unlisten'` stops
 * listening (`ECONNREFUSED`).
 */
export type RefuseMode = 'reset' | 'close' | 'unlisten'

/** A route rule set with {@link FaultProxy.setRule}. */
export interface ProxyRule {
  readonly id: number
  readonly match: RouteMatch
  readonly fault: Fault
  /** Stops the rule from matching new requests; connections it matched keep the fault. */
  remove(): void
}

/** Counts since the proxy started, for logs and figures. */
export interface ProxyStats {
  accepted: number
  refused: number
  /** Faults applied by rules and by `applyAll`, `cutAll` and `stallAll` (per connection). */
  faults: number
}

/** Bounds and filters of the `next*` waits. */
export interface WaitOptions<T> {
  /** Only resolve for a value this accepts. */
  where?: (value: T) => boolean
  /** Reject after this many ms (default: the proxy's `waitTimeoutMs`). */
  timeoutMs?: number
}

/** A request head seen on a connection, as {@link FaultProxy.nextRequest} reports it. */
export interface ProxyRequest {
  connection: ProxyConnection
  request: SniffedRequest
}

/** A fault-injecting TCP proxy on 127.0.0.1, controlled by the test while it runs. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: point clients here instead of at the server. */
  readonly url: string
  readonly port: number
  readonly seed: number
  /** Where new connections go. */
  readonly upstream: Upstream
  /** The connections open now, oldest first. */
  readonly connections: readonly ProxyConnection[]
  readonly stats: ProxyStats
  /**
   * Applies `fault` to every new request matching `match` (the newest matching rule wins).
   * A match sticks: the fault stays on that connection for every later request on it, while
   * a connection no rule matched is looked at again at its next keep-alive request. A rule
   * with conditions makes every new connection wait for its first request head before it
   * goes upstream.
   */
  setRule(match: RouteMatch, fault: Fault): ProxyRule
  /** Removes every rule; connections keep the faults they have. */
  clearRules(): void
  /** Applies `fault` to every open connection. */
  applyAll(fault: Fault): void
  /** Cuts every open connection (default RST). */
  cutAll(options?: { mode?: CutMode }): void
  /** Stalls every open connection (default both directions). */
  stallAll(options?: { direction?: 'both' | 'downstream' }): void
  /** Sends new connections to `upstream`; open ones stay where they are. */
  setUpstream(upstream: { host?: string; port: number }): void
  /** Turns new connections away (`true` means `'reset'`) or, with `false`, lets them in again. */
  refuse(mode: RefuseMode | boolean): Promise<void>
  /** The next fault from the seeded generator: same seed, same sequence. */
  randomFault(options?: RandomFaultOptions): Fault
  /** Resolves with the next connection accepted after the call. */
  nextConnection(options?: WaitOptions<ProxyConnection>): Promise<ProxyConnection>
  /** Resolves with the next request head seen after the call, on any connection. */
  nextRequest(options?: WaitOptions<ProxyRequest>): Promise<ProxyRequest>
  /** Stops listening and destroys every connection; resolves when no socket or timer is left. */
  close(): Promise<void>
}

interface Waiter {
  settle(event: 'connection' | 'request', value: ProxyConnection | ProxyRequest): void
  fail(error: Error): void
}

/**
 * Starts a fault proxy on 127.0.0.1 with an OS-chosen port, forwarding to `upstream`.
 *
 * @example
 * ```ts
 * const proxy = await createFaultProxy({ upstream: { port: server.port }, seed: 7 })
 * proxy.setRule({ headers: { accept: 'text/event-stream' } }, { kind: 'status', status: 502 })
 * const next = proxy.nextRequest({ where: ({ request }) => request.upgrade })
 * // ... point the client at proxy.url; its SSE requests get 502, its WebSocket passes
 * const { connection } = await next
 * connection.apply({ kind: 'stall' })
 * await proxy.close()
 * ```
 */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new FaultProxyServer(options)
  await proxy.listen(0)
  return proxy
}

class FaultProxyServer implements FaultProxy {
  readonly seed: number
  readonly stats: ProxyStats = { accepted: 0, refused: 0, faults: 0 }
  upstream: Upstream
  port = 0
  readonly #random: Prng
  readonly #waitTimeoutMs: number
  readonly #open = new Map<number, Connection>()
  readonly #servers = new Set<Server>()
  readonly #waiters = new Set<Waiter>()
  readonly #refused = new Set<Socket>()
  #listening: Server | undefined
  #rules: ProxyRule[] = []
  #nextRuleId = 1
  #nextConnectionId = 1
  #refusing: RefuseMode | undefined
  #closed = false

  constructor(options: FaultProxyOptions) {
    this.upstream = checkUpstream(options.upstream)
    this.seed = options.seed ?? 1
    this.#random = createPrng(this.seed)
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 5_000
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  get connections(): readonly ProxyConnection[] {
    return [...this.#open.values()]
  }

  async listen(port: number): Promise<void> {
    const server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket))
    this.#servers.add(server)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', reject)
        resolve()
      })
    }).catch((error: unknown) => {
      this.#servers.delete(server)
      throw error
    })
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('proxy has no TCP port')
    this.port = address.port
    this.#listening = server
  }

  setRule(match: RouteMatch, fault: Fault): ProxyRule {
    assertFault(fault)
    const rule: ProxyRule = {
      id: this.#nextRuleId++,
      match,
      fault,
      remove: () => {
        this.#rules = this.#rules.filter((r) => r !== rule)
      },
    }
    this.#rules.push(rule)
    return rule
  }

  clearRules(): void {
    this.#rules = []
  }

  applyAll(fault: Fault): void {
    assertFault(fault)
    for (const connection of this.#open.values()) {
      this.stats.faults++
      connection.apply(fault)
    }
  }

  cutAll(options: { mode?: CutMode } = {}): void {
    this.applyAll({ kind: 'cut', mode: options.mode ?? 'rst' })
  }

  stallAll(options: { direction?: 'both' | 'downstream' } = {}): void {
    this.applyAll({ kind: 'stall', direction: options.direction ?? 'both' })
  }

  setUpstream(upstream: { host?: string; port: number }): void {
    this.upstream = checkUpstream(upstream)
  }

  async refuse(mode: RefuseMode | boolean): Promise<void> {
    if (this.#closed) throw new Error('fault proxy is closed')
    const next = mode === true ? 'reset' : mode === false ? undefined : mode
    if (next === 'unlisten' && this.#listening !== undefined) this.#unlisten()
    // Listening again on the same port keeps `url` valid; another process could take the
    // port in between, which then fails here rather than silently.
    if (next !== 'unlisten' && this.#listening === undefined) await this.listen(this.port)
    this.#refusing = next
  }

  randomFault(options?: RandomFaultOptions): Fault {
    return randomFault(this.#random, options)
  }

  nextConnection(options: WaitOptions<ProxyConnection> = {}): Promise<ProxyConnection> {
    return this.#wait('connection', options)
  }

  nextRequest(options: WaitOptions<ProxyRequest> = {}): Promise<ProxyRequest> {
    return this.#wait('request', options)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#unlisten()
    for (const waiter of [...this.#waiters]) waiter.fail(new Error('fault proxy closed'))
    const open = [...this.#open.values()]
    for (const connection of open) connection.destroy()
    const refused = [...this.#refused].map(
      (socket) => new Promise((resolve) => socket.once('close', resolve).destroy()),
    )
    await Promise.all([
      ...open.map((c) => c.closed),
      ...refused,
      ...[...this.#servers].map((s) => new Promise((resolve) => s.close(resolve))),
    ])
  }

  #unlisten(): void {
    // Closing the listener only stops accepting; open connections are ours to end.
    this.#listening?.close()
    this.#listening = undefined
  }

  #accept(socket: Socket): void {
    socket.on('error', () => {})
    if (this.#closed) {
      socket.destroy()
      return
    }
    if (this.#refusing !== undefined) {
      this.stats.refused++
      this.#refused.add(socket)
      socket.on('close', () => this.#refused.delete(socket))
      if (this.#refusing === 'reset') resetSocket(socket)
      else finishSocket(socket)
      return
    }
    this.stats.accepted++
    const connection = new Connection(this.#nextConnectionId++, socket, {
      upstream: this.upstream,
      waitForRequest: this.#rules.some((rule) => needsRequest(rule.match)),
      decide: (request) => this.#decide(request),
      onRequest: (c) => {
        if (c.request !== undefined) this.#notify('request', { connection: c, request: c.request })
      },
      onClose: (c) => this.#open.delete(c.id),
    })
    if (connection.open) this.#open.set(connection.id, connection)
    this.#notify('connection', connection)
  }

  #decide(request: SniffedRequest | undefined): Fault | undefined {
    for (let i = this.#rules.length - 1; i >= 0; i--) {
      const rule = this.#rules[i] as ProxyRule
      if (matchesRoute(rule.match, request)) {
        this.stats.faults++
        return rule.fault
      }
    }
    return undefined
  }

  #notify(event: 'connection' | 'request', value: ProxyConnection | ProxyRequest): void {
    for (const waiter of [...this.#waiters]) waiter.settle(event, value)
  }

  #wait<T extends ProxyConnection | ProxyRequest>(
    event: 'connection' | 'request',
    options: WaitOptions<T>,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('fault proxy is closed'))
    return bounded<T>(
      `a ${event} at the fault proxy`,
      (resolve, reject) => {
        const waiter: Waiter = {
          settle: (kind, value) => {
            if (kind === event && (options.where?.(value as T) ?? true)) resolve(value as T)
          },
          fail: reject,
        }
        this.#waiters.add(waiter)
        return () => this.#waiters.delete(waiter)
      },
      { timeoutMs: options.timeoutMs ?? this.#waitTimeoutMs },
    )
  }
}

function checkUpstream(upstream: { host?: string; port: number }): Upstream {
  if (!Number.isInteger(upstream.port) || upstream.port <= 0 || upstream.port > 65_535) {
    throw new RangeError(`upstream port must be 1-65535, got ${upstream.port}`)
  }
  return { host: upstream.host ?? '127.0.0.1', port: upstream.port }
}
