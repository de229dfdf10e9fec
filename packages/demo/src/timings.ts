/**
 * The demo's timings, shortened from the defaults so every recovery shows within seconds.
 * The page lists them beside the defaults; a real app keeps the defaults.
 */
export const DEMO_TIMINGS = {
  /** Server: a heartbeat comment every second (default 15 s). */
  heartbeat: 1_000,
  /** Server: the `retry:` hint and the close event's retry (default 1 s). */
  retry: 500,
  /** Client: no byte for 3 s is a stall (default 45 s). */
  heartbeatTimeout: 3_000,
  /** Client: an accepted stream silent for 2 s is buffered (default 10 s). */
  firstByteTimeout: 2_000,
  /** Client: not accepted within 3 s is a timeout (default 10 s). */
  connectTimeout: 3_000,
  /** Client: reconnect delays between 0 and 0.3 s … 2 s (default 1 s … 30 s). */
  backoff: { initial: 300, max: 2_000, factor: 2 },
  /** Client: probe the preferred transport after 8 s on a fallback (default 60 s). */
  upgradeAfter: 8_000,
  /** Server: one ticker event every 400 ms. */
  tick: 400,
} as const

/** The one stream the demo serves. */
export const DEMO_STREAM = 'ticker'

/** The path serving both pipes (SSE and WebSocket) behind the fault proxy. */
export const EVENTS_PATH = '/events'
