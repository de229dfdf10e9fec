import { createPrng } from '@lifeline/testkit/doubles/prng'
import {
  describeFault,
  type Fault,
  type FaultProxy,
  type ProxyRule,
} from '@lifeline/testkit/fault-proxy/proxy'

/**
 * Options of {@link startChaos}.
 *
 * @example
 * ```ts
 * const chaos = startChaos({ proxy, seed: 7, everyMs: [100, 500], blockSse: 0.15 })
 * ```
 */
export interface ChaosOptions {
  /** The proxy between the client and the server; it should be created with the same seed. */
  proxy: FaultProxy
  /** Fixes the schedule: when each fault comes and what it is. */
  seed: number
  /** Bounds of the pause before each fault, in ms (inclusive). Default `[100, 500]`. */
  everyMs?: readonly [number, number]
  /**
   * Chance that a step blocks the SSE route (HTTP 502 for `Accept: text/event-stream`) for
   * 300–1 500 ms instead of faulting the open connections, so the client has to leave SSE
   * and the WebSocket pipe gets its share of faults. Default 0.
   */
  blockSse?: number
}

/** Whether `fault` holds every byte from now on, until the connection goes. */
function holds(fault: Fault): boolean {
  return fault.kind === 'stall' || (fault.kind === 'buffer' && fault.untilBytes === undefined)
}

/** A running fault schedule. */
export interface Chaos {
  /** Every step so far: `<ms since start> <what>`, for the failure message and the replay. */
  readonly log: string[]
  /** Faults injected: one per step that hit at least one connection or blocked the route. */
  readonly injected: number
  /** Of those, the faults that hit a WebSocket connection. */
  readonly injectedOnWebSocket: number
  /** Stops the schedule, lifts the route block and every fault still holding a connection. */
  stop(): void
}

/**
 * Injects a seeded random fault into every open proxy connection at seeded intervals: cuts
 * (RST or FIN, now or after some bytes), stalls, latency, throttling and buffering. A fault
 * sticks to the connections it hit, so new connections start clean, and the client's
 * watchdogs must find and replace a stalled or buffered one. Same seed, same schedule; which
 * connection a step hits still depends on timing.
 *
 * @example
 * ```ts
 * const chaos = startChaos({ proxy, seed })
 * await publisher.done
 * chaos.stop()
 * ```
 */
export function startChaos(options: ChaosOptions): Chaos {
  const { proxy } = options
  const random = createPrng(options.seed)
  const [least, most] = options.everyMs ?? [100, 500]
  const blockChance = options.blockSse ?? 0
  const start = performance.now()
  const log: string[] = []
  let injected = 0
  let injectedOnWebSocket = 0
  let stopped = false
  let stepTimer: ReturnType<typeof setTimeout> | undefined
  let block: { rule: ProxyRule; timer: ReturnType<typeof setTimeout> } | undefined

  const note = (what: string) => log.push(`${Math.round(performance.now() - start)} ms ${what}`)
  const unblock = () => {
    if (block === undefined) return
    clearTimeout(block.timer)
    block.rule.remove()
    block = undefined
    note('SSE route healed')
  }

  const step = () => {
    if (stopped) return
    if (block === undefined && random.chance(blockChance)) {
      const ms = random.int(300, 1_500)
      const rule = proxy.setRule(
        { headers: { accept: 'text/event-stream' } },
        { kind: 'status', status: 502 },
      )
      // The open SSE connection goes too, or the block would only bite at its next drop.
      for (const connection of proxy.connections) {
        if (connection.request?.headers.accept?.includes('text/event-stream')) connection.cut()
      }
      block = { rule, timer: setTimeout(unblock, ms) }
      injected++
      note(`SSE route blocked (502) for ${ms} ms`)
    } else {
      const fault = proxy.randomFault()
      // A hold sticks until the client gives the connection up: lifting it with the next
      // fault would spare the watchdog the work this run is meant to prove.
      const open = proxy.connections.filter((c) => c.open && !holds(c.fault))
      if (open.length > 0) {
        for (const connection of open) connection.apply(fault)
        injected++
        if (open.some((c) => c.request?.upgrade === true)) injectedOnWebSocket++
      }
      note(`${describeFault(fault)} on ${open.map((c) => `#${c.id}`).join(', ') || 'nothing'}`)
    }
    stepTimer = setTimeout(step, random.int(least, most))
  }
  stepTimer = setTimeout(step, random.int(least, most))

  return {
    log,
    get injected() {
      return injected
    },
    get injectedOnWebSocket() {
      return injectedOnWebSocket
    },
    stop() {
      stopped = true
      clearTimeout(stepTimer)
      unblock()
      // Held bytes flow again; a connection the client gave up on is closed by the client.
      for (const connection of proxy.connections) connection.apply({ kind: 'pass' })
      note('stopped')
    },
  }
}
