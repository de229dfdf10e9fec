import { type Client, createClient } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { createFaultProxy, type FaultProxy } from '@lifeline/testkit/fault-proxy/proxy'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'
import { websocket } from '@lifeline/websocket'
import { WebSocket } from 'ws'
import { payload } from './replay-server'
import { type BenchResult, createCollector } from './results'
import type { BenchSettings } from './settings'

/** The client's timeouts here: short, so a run takes about a second. */
const TIMEOUTS = { connectTimeout: 1_000, firstByteTimeout: 1_000, heartbeatTimeout: 1_000 }
/** The hub's `retry:` hint, which the client takes as its backoff base. */
const RETRY_MS = 100
const PUBLISH_EVERY_MS = 10
/** How much over its floor a failover may take on loopback (the issue's goal). */
const GOAL_MS = 250

type FaultName = 'cut' | 'stall' | 'SSE blocked'

/** The faults, how each is applied, and which timeout the client must wait out first. */
const FAULTS: { name: FaultName; timeout: number; apply(proxy: FaultProxy): void }[] = [
  { name: 'cut', timeout: 0, apply: (proxy) => proxy.cutAll({ mode: 'rst' }) },
  { name: 'stall', timeout: TIMEOUTS.heartbeatTimeout, apply: (proxy) => proxy.stallAll() },
  {
    // A buffering proxy on the SSE route: the response head passes, the body never does.
    name: 'SSE blocked',
    timeout: TIMEOUTS.firstByteTimeout,
    apply(proxy) {
      proxy.setRule({ headers: { accept: 'text/event-stream' } }, { kind: 'buffer' })
      proxy.cutAll({ mode: 'rst' })
    },
  },
]

function firstMessage(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const handler = () => {
      client.off('message', handler)
      resolve()
    }
    client.on('message', handler)
  })
}

/**
 * Measures one failover: from the fault to the first event delivered after the client left
 * `open`, with the backoff delays the client chose on the way (its `retry` events).
 */
async function failover(fault: (typeof FAULTS)[number], url: string, proxy: FaultProxy) {
  const client = createClient({
    url,
    transports: [sseFetch(), websocket({ WebSocket })],
    backoff: { initial: RETRY_MS, max: 1_000 },
    ...TIMEOUTS,
  })
  try {
    await firstMessage(client)
    let waited = 0
    let left = false
    client.connection.on('retry', ({ ms }) => {
      waited += ms
    })
    client.connection.on('state', ({ to }) => {
      if (to !== 'open') left = true
    })
    const start = performance.now()
    const recovered = new Promise<number>((resolve) => {
      client.on('message', () => {
        if (left) resolve(performance.now())
      })
    })
    fault.apply(proxy)
    const end = await recovered
    const floor = fault.timeout + waited
    return {
      ms: end - start,
      floor,
      over: end - start - floor,
      transport: client.connection.transport,
    }
  } finally {
    client.close()
  }
}

/**
 * Benchmark 5: time from a fault (cut, stall, SSE blocked by a buffering proxy) to the first
 * event on the new connection, against its floor: the timeout the client must wait out plus
 * the backoff delays it chose. The client runs in this process (it measures time, not CPU),
 * through the fault proxy, to a hub publishing every 10 ms.
 */
export async function benchFailover(settings: BenchSettings): Promise<BenchResult> {
  const server = await startHubServer({ hubOptions: { retry: RETRY_MS, heartbeat: 250 } })
  const data = payload()
  const publisher = setInterval(() => {
    void server.hub.publish('events', { data })
  }, PUBLISH_EVERY_MS)
  const runs = createCollector()
  const transports = new Map<string, Set<string>>()
  try {
    for (let run = 0; run < settings.runs; run++) {
      for (const fault of FAULTS) {
        const proxy = await createFaultProxy({
          upstream: { port: Number(new URL(server.url).port) },
        })
        try {
          const result = await failover(fault, `${proxy.url}/events`, proxy)
          runs.add(fault.name, 'lifeline', {
            ms: result.ms,
            floor: result.floor,
            over: result.over,
          })
          transports.set(
            fault.name,
            (transports.get(fault.name) ?? new Set()).add(result.transport),
          )
        } finally {
          await proxy.close()
        }
      }
    }
  } finally {
    clearInterval(publisher)
    await server.close({ timeout: 1_000 })
  }
  return {
    id: 'failover',
    title: 'Failover',
    metrics: [
      { key: 'ms', label: 'fault → first event ms', digits: 0, compare: false },
      { key: 'floor', label: 'floor ms', digits: 0, compare: false },
      { key: 'over', label: 'over the floor ms', digits: 0, compare: false },
    ],
    rows: runs.rows(() => undefined),
    notes: [
      `Client: sseFetch then websocket, connectTimeout/firstByteTimeout/heartbeatTimeout ${TIMEOUTS.heartbeatTimeout} ms, backoff base ${RETRY_MS} ms (the hub's retry hint), strategy 'resilient'. The hub publishes every ${PUBLISH_EVERY_MS} ms; the new connection replays what was missed.`,
      'Floor: the timeout the client must wait out (none for a cut, heartbeatTimeout for a stall, firstByteTimeout for a buffering proxy) plus the backoff delays it chose (its retry events). Goal: at most the floor + 250 ms.',
      `Cut: TCP reset of every connection. Stall: every connection held open, no byte forwarded. SSE blocked: the SSE route buffered by the proxy and the stream cut, so the client must fall back to WebSocket. Transport after recovery: ${[...transports].map(([name, seen]) => `${name} → ${[...seen].join('/')}`).join(', ')}.`,
    ],
    details: { goalOverFloorMs: GOAL_MS },
  }
}
