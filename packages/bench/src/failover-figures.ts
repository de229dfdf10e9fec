// Failover figures of docs/reliability.md: for scenarios 4-6 of the integration suite (SSE
// blocked at a proxy, a buffering proxy, a silent stall) the time from the fault to the
// client's verdict and to the first event on the recovered connection, median of 5 runs,
// with the scenarios' short timings (see FAST in packages/testkit/src/scenario/rig.ts).
//
// Run from the repo root (bundled first: Node 20 does not run TypeScript):
//   npx esbuild packages/bench/src/failover-figures.ts --bundle --platform=node --format=cjs \
//     --outfile=packages/bench/reports/failover-figures.cjs \
//     --external:bufferutil --external:utf-8-validate --external:esbuild \
//     --alias:@lifeline/core=./packages/core/src/index.ts \
//     --alias:@lifeline/server=./packages/server/src/index.ts \
//     --alias:@lifeline/sse-fetch=./packages/sse-fetch/src/index.ts \
//     --alias:@lifeline/websocket=./packages/websocket/src/index.ts \
//     --alias:@lifeline/integration=./packages/integration/src/failover.ts
//   node packages/bench/reports/failover-figures.cjs [runs=5]
import { blockedSse, bufferingProxy, type FailoverResult, silentStall } from '@lifeline/integration'

const runs = Number(process.argv[2] ?? 5)

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

const scenarios: [string, (seed: number) => Promise<FailoverResult>][] = [
  ['4 SSE blocked (502) → WebSocket', (seed) => blockedSse({ seed })],
  ['5 buffering proxy → WebSocket', (seed) => bufferingProxy({ seed })],
  ['6 silent stall → resumed', (seed) => silentStall({ seed })],
]

async function main(): Promise<void> {
  console.log(`| scenario | verdict (median ms) | first event recovered (median ms) | runs (ms) |`)
  console.log(`| --- | --- | --- | --- |`)
  for (const [name, run] of scenarios) {
    const detection: number[] = []
    const recovery: number[] = []
    const upgrade: number[] = []
    for (let i = 1; i <= runs; i++) {
      const result = await run(i)
      const lost = result.published.length - result.delivered.length
      if (lost !== 0 || result.gaps !== 0)
        throw new Error(`${name}, run ${i}: ${lost} lost, ${result.gaps} gaps`)
      detection.push(result.detectionMs)
      recovery.push(result.recoveryMs)
      if (result.upgradeMs !== undefined) upgrade.push(result.upgradeMs)
    }
    const round = (ms: number) => Math.round(ms)
    console.log(
      `| ${name} | ${round(median(detection))} | ${round(median(recovery))} | ${recovery.map(round).join(', ')} |`,
    )
    if (upgrade.length > 0)
      console.log(
        `|   … route healed → first event over SSE again | | ${round(median(upgrade))} | ${upgrade.map(round).join(', ')} |`,
      )
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
