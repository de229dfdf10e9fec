/**
 * How big and how often, from the environment: `LIFELINE_BENCH_SCALE` multiplies every
 * count (events, connections, subscribers; 0.05 gives a quick run), `LIFELINE_BENCH_RUNS`
 * sets the repetitions (default 5), `LIFELINE_BENCH_ONLY` picks benchmarks by id
 * (`decode,sse,websocket,fanout,long-poll,long-poll-latency,failover,memory,server-fanout`).
 */
export interface BenchSettings {
  scale: number
  runs: number
  only: readonly string[] | undefined
}

/** Reads the settings; a value that is not a positive number is an error, not a default. */
export function readSettings(env: Record<string, string | undefined>): BenchSettings {
  const positive = (name: string, fallback: number) => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    const value = Number(text)
    if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`${name} must be > 0`)
    return value
  }
  const only = env.LIFELINE_BENCH_ONLY
  return {
    scale: positive('LIFELINE_BENCH_SCALE', 1),
    runs: Math.round(positive('LIFELINE_BENCH_RUNS', 5)),
    only: only === undefined || only === '' ? undefined : only.split(',').map((id) => id.trim()),
  }
}

/**
 * A count under the scale, never below `min`.
 *
 * @example
 * ```ts
 * scaled(200_000, { scale: 0.05, runs: 5, only: undefined }) // 10_000
 * ```
 */
export function scaled(count: number, settings: BenchSettings, min = 1): number {
  return Math.max(min, Math.round(count * settings.scale))
}
