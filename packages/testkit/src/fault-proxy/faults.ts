import type { Prng } from '../doubles/prng'

/** How a cut ends a connection: a TCP reset (the peer sees `ECONNRESET`) or a FIN (`end`). */
export type CutMode = 'rst' | 'fin'

/**
 * What the fault proxy does to a connection, from the moment the fault is applied.
 * "Downstream" is upstream server → client; "upstream" is client → server.
 *
 * @example
 * ```ts
 * const faults: Fault[] = [
 *   { kind: 'cut', mode: 'rst', afterBytes: 1_000 },
 *   { kind: 'stall', direction: 'downstream' },
 *   { kind: 'buffer', untilBytes: 4_096 },
 *   { kind: 'buffer', holdHeaders: true },
 *   { kind: 'status', status: 502 },
 * ]
 * ```
 */
export type Fault =
  /** Forward everything as it comes; lifts any earlier fault (held bytes flow again). */
  | { kind: 'pass' }
  /**
   * End both sides: now, or once `afterBytes` more bytes went downstream. The upstream
   * side is closed the same way.
   */
  | { kind: 'cut'; mode: CutMode; afterBytes?: number }
  /**
   * Hold the sockets open and forward nothing (no FIN, no RST), as a dead link does; with
   * `'downstream'` the client's bytes still reach the server. Bytes are kept, not dropped,
   * and flow again when the fault is lifted.
   */
  | { kind: 'stall'; direction?: 'both' | 'downstream' }
  /** Deliver every chunk, in both directions, `ms` later than it arrived. */
  | { kind: 'latency'; ms: number }
  /** Deliver at most about `bytesPerSecond` in each direction, in slices. */
  | { kind: 'throttle'; bytesPerSecond: number }
  /**
   * Pass the HTTP response head, then hold the body until `untilBytes` are held (then
   * flush them and hold the next block), until the response is complete (its
   * `Content-Length`, or the last chunk of a chunked body), or until the upstream ends —
   * what a reverse proxy with response buffering on does: an endless SSE stream never
   * arrives, a complete response (a long-poll's) does, each one of a keep-alive connection.
   * With `holdHeaders` the head is held too, so the client sees no response at all (a
   * connect timeout).
   */
  | { kind: 'buffer'; untilBytes?: number; holdHeaders?: boolean }
  /**
   * Answer the request with this HTTP status and close, without reaching the upstream.
   * Meant for route rules, before any response byte went downstream.
   */
  | {
      kind: 'status'
      status: number
      body?: string
      headers?: Readonly<Record<string, string>>
    }

/** The `kind` of a {@link Fault}. */
export type FaultKind = Fault['kind']

/**
 * Bounds for {@link randomFault}. Every range is inclusive; the defaults keep faults short
 * enough for a test that injects one every few hundred milliseconds.
 *
 * @example
 * ```ts
 * const options: RandomFaultOptions = { kinds: ['cut', 'stall'], cutAfterBytes: [0, 512] }
 * ```
 */
export interface RandomFaultOptions {
  /** Kinds to choose from (default: cut, stall, latency, throttle, buffer). */
  kinds?: readonly Exclude<FaultKind, 'pass' | 'status'>[]
  /** Bytes before a delayed cut (default `[0, 4096]`; 0 cuts at once). */
  cutAfterBytes?: readonly [number, number]
  /** Added delay (default `[5, 200]` ms). */
  latencyMs?: readonly [number, number]
  /** Bandwidth (default `[1024, 65536]` bytes/s). */
  bytesPerSecond?: readonly [number, number]
  /** Block size of a buffering fault (default `[256, 16384]`); a quarter hold until close. */
  bufferBytes?: readonly [number, number]
}

const defaultKinds = ['cut', 'stall', 'latency', 'throttle', 'buffer'] as const

/**
 * Draws one fault from `random`: the kind, then its parameters, always in the same order,
 * so the same seed gives the same sequence of faults.
 *
 * @example
 * ```ts
 * const random = createPrng(7)
 * const fault = randomFault(random, { kinds: ['cut', 'stall'] })
 * ```
 */
export function randomFault(random: Prng, options: RandomFaultOptions = {}): Fault {
  const kind = random.pick(options.kinds ?? defaultKinds)
  const between = (range: readonly [number, number]) => random.int(range[0], range[1])
  switch (kind) {
    case 'cut': {
      const mode: CutMode = random.chance(0.5) ? 'rst' : 'fin'
      const afterBytes = between(options.cutAfterBytes ?? [0, 4096])
      return afterBytes === 0 ? { kind, mode } : { kind, mode, afterBytes }
    }
    case 'stall':
      return { kind, direction: random.chance(0.5) ? 'both' : 'downstream' }
    case 'latency':
      return { kind, ms: between(options.latencyMs ?? [5, 200]) }
    case 'throttle':
      return { kind, bytesPerSecond: between(options.bytesPerSecond ?? [1024, 65536]) }
    case 'buffer': {
      const holdHeaders = random.chance(0.25)
      const untilBytes = between(options.bufferBytes ?? [256, 16384])
      const base = holdHeaders ? { kind, holdHeaders } : { kind }
      return random.chance(0.25) ? base : { ...base, untilBytes }
    }
  }
}

/**
 * A short human-readable form of a fault, for logs and failure messages.
 *
 * @example
 * ```ts
 * describeFault({ kind: 'cut', mode: 'rst', afterBytes: 10 }) // 'cut rst after 10 B'
 * ```
 */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'pass':
      return 'pass'
    case 'cut':
      return `cut ${fault.mode}${fault.afterBytes ? ` after ${fault.afterBytes} B` : ''}`
    case 'stall':
      return `stall ${fault.direction ?? 'both'}`
    case 'latency':
      return `latency ${fault.ms} ms`
    case 'throttle':
      return `throttle ${fault.bytesPerSecond} B/s`
    case 'buffer':
      return `buffer${fault.holdHeaders ? ' with headers' : ''} ${
        fault.untilBytes === undefined ? 'until close' : `in ${fault.untilBytes} B blocks`
      }`
    case 'status':
      return `status ${fault.status}`
  }
}

/**
 * Throws a `RangeError` when a fault's parameters make no sense (a negative delay, a
 * zero bandwidth, a status outside 100–599), so a typo fails the test that made it.
 */
export function assertFault(fault: Fault): void {
  const fail = (what: string) => {
    throw new RangeError(`${describeFault(fault)}: ${what}`)
  }
  switch (fault.kind) {
    case 'cut':
      if (
        fault.afterBytes !== undefined &&
        !(Number.isInteger(fault.afterBytes) && fault.afterBytes >= 0)
      )
        fail('afterBytes must be an integer >= 0')
      break
    case 'latency':
      if (!(Number.isFinite(fault.ms) && fault.ms >= 0)) fail('ms must be finite and >= 0')
      break
    case 'throttle':
      if (!(Number.isFinite(fault.bytesPerSecond) && fault.bytesPerSecond > 0))
        fail('bytesPerSecond must be finite and > 0')
      break
    case 'buffer':
      if (
        fault.untilBytes !== undefined &&
        !(Number.isInteger(fault.untilBytes) && fault.untilBytes > 0)
      )
        fail('untilBytes must be an integer > 0')
      break
    case 'status':
      if (!(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599))
        fail('status must be an integer in 100-599')
      break
    case 'pass':
    case 'stall':
      break
  }
}
