import type { FaultProxy, ProxyRule } from '@lifeline/testkit/fault-proxy/proxy'
import type { HubSlot } from './hub-slot'

/** The fault buttons of the page, as the server carries them out. */
export type ControlAction =
  | 'cut'
  | 'stall'
  | 'block-sse'
  | 'unblock-sse'
  | 'restart'
  | 'close-event'

/** Every action the page may post. */
export const CONTROL_ACTIONS: readonly ControlAction[] = [
  'cut',
  'stall',
  'block-sse',
  'unblock-sse',
  'restart',
  'close-event',
]

/** What the page shows of the server side. */
export interface ControlState {
  sseBlocked: boolean
  /** Restarts with empty history so far. */
  restarts: number
}

/** The fault controls over one proxy and one hub slot. */
export interface Controls {
  readonly state: ControlState
  run(action: ControlAction): Promise<ControlState>
}

const isSse = (accept: string | undefined) => accept?.includes('text/event-stream') === true

/**
 * Creates the controls. SSE is blocked at the proxy with a 502 on every request that asks
 * for `text/event-stream`, so WebSocket upgrades on the same path still pass — what a proxy
 * that mishandles streaming responses does.
 *
 * @example
 * ```ts
 * const controls = createControls(proxy, slot, 'http://127.0.0.1:8080')
 * await controls.run('block-sse')
 * ```
 */
export function createControls(proxy: FaultProxy, slot: HubSlot, pageOrigin: string): Controls {
  let block: ProxyRule | undefined
  let restarts = 0
  const state = (): ControlState => ({ sseBlocked: block !== undefined, restarts })
  const actions: Record<ControlAction, () => Promise<void> | void> = {
    // A reset on every connection, both pipes: a crashed proxy or a dropped network.
    cut: () => proxy.cutAll(),
    // Every open connection goes silent without closing, as a dead NAT mapping does: only
    // the client's heartbeat watchdog can notice.
    stall: () => proxy.stallAll(),
    'block-sse': () => {
      block ??= proxy.setRule(
        { headers: { accept: 'text/event-stream' } },
        {
          kind: 'status',
          status: 502,
          // Without CORS headers the browser hides the status behind a network error.
          headers: { 'access-control-allow-origin': pageOrigin },
        },
      )
      // The rule meets new requests; the stream already open is cut so the client meets it.
      for (const connection of proxy.connections)
        if (isSse(connection.request?.headers.accept)) connection.cut()
    },
    'unblock-sse': () => {
      block?.remove()
      block = undefined
    },
    // A crash and a restart with in-memory history: the old ids belong to a lost epoch,
    // so a resuming client gets `reset` and emits `gap`.
    restart: () => {
      const old = slot.replace({ keepHistory: false })
      restarts++
      proxy.cutAll()
      void old.close({ timeout: 500 })
    },
    // A graceful deploy: the old hub sends the close event to every client and ends; the
    // new one serves the same history, so clients resume with nothing lost.
    'close-event': async () => {
      const old = slot.replace({ keepHistory: true })
      await old.close({ reconnect: true, timeout: 1_000 })
    },
  }
  return {
    get state() {
      return state()
    },
    async run(action) {
      await actions[action]()
      return state()
    },
  }
}
