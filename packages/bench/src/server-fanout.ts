// Fan-out of 100-byte events from one hub to many SSE subscribers, and the server's memory
// per idle subscriber. The clients run in a child process so they do not share the server's
// CPU time or heap.
//
// Run from the repo root (bundled first: Node 20 does not run TypeScript):
//   npx esbuild packages/bench/src/server-fanout.ts --bundle --platform=node --format=esm \
//     --outfile=packages/bench/reports/server-fanout.mjs --external:ws \
//     --alias:@lifeline/core=./packages/core/src/index.ts \
//     --alias:@lifeline/server=./packages/server/src/index.ts
//   node packages/bench/reports/server-fanout.mjs [subscribers=1000] [events=2000]
import { type ChildProcess, fork } from 'node:child_process'
import { get } from 'node:http'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createHub, memoryLog } from '@lifeline/server'
import { startHubServer } from '@lifeline/testkit/servers/hub-server'

/** Messages the client process sends back. */
type Report = { kind: 'connected' } | { kind: 'received'; blocks: number }

/** Client process: opens `count` SSE requests and reports once each saw `expected` blocks. */
function runClients(url: string, count: number) {
  const blocks = new Array<number>(count).fill(0)
  let connected = 0
  let target = Number.POSITIVE_INFINITY
  const check = () => {
    if (blocks.every((n) => n >= target)) {
      process.send?.({ kind: 'received', blocks: target } satisfies Report)
      target = Number.POSITIVE_INFINITY
    }
  }
  for (let i = 0; i < count; i++) {
    get(url, { agent: false }, (res) => {
      res.setEncoding('utf8')
      let tail = ''
      res.on('data', (chunk: string) => {
        // Count blank lines that end a block, across chunk boundaries.
        const text = tail + chunk
        blocks[i]! += text.split('\n\n').length - 1
        tail = text.endsWith('\n') ? '\n' : ''
        if (blocks[i] === 2 && ++connected === count)
          process.send?.({ kind: 'connected' } satisfies Report)
        if (blocks[i]! >= target) check()
      })
    })
  }
  process.on('message', (message: { expect: number }) => {
    target = message.expect
    check()
  })
  process.on('disconnect', () => process.exit(0))
}

function nextReport(child: ChildProcess, kind: Report['kind']): Promise<Report> {
  return new Promise((resolve) => {
    const onMessage = (report: Report) => {
      if (report.kind !== kind) return
      child.off('message', onMessage)
      resolve(report)
    }
    child.on('message', onMessage)
  })
}

async function main(subscribers: number, events: number) {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const hub = createHub({ log: memoryLog({ capacity: events }), maxClients: subscribers + 10 })
  const server = await startHubServer({ hub })
  const heapOf = () => {
    gc()
    const { heapUsed, external, arrayBuffers } = process.memoryUsage()
    return heapUsed + external - arrayBuffers
  }
  const before = heapOf()
  const rssBefore = process.memoryUsage().rss
  const child = fork(fileURLToPath(import.meta.url), ['clients', server.url, String(subscribers)])
  await nextReport(child, 'connected')
  const perSubscriber = (heapOf() - before) / subscribers
  const rssPerSubscriber = (process.memoryUsage().rss - rssBefore) / subscribers

  const data = 'x'.repeat(100)
  const received = nextReport(child, 'received')
  child.send({ expect: 2 + events })
  const start = performance.now()
  for (let i = 0; i < events; i++) {
    await hub.publish('events', { data })
    // Let sockets drain now and then, as a server with other work would.
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve))
  }
  await received
  const seconds = (performance.now() - start) / 1000
  console.log(
    JSON.stringify(
      {
        subscribers,
        events,
        eventBytes: 100,
        seconds: Number(seconds.toFixed(3)),
        eventsPerSecond: Math.round(events / seconds),
        deliveriesPerSecond: Math.round((events * subscribers) / seconds),
        heapBytesPerIdleSubscriber: Math.round(perSubscriber),
        rssBytesPerIdleSubscriber: Math.round(rssPerSubscriber),
      },
      null,
      2,
    ),
  )
  child.disconnect()
  await server.close({ timeout: 1_000 })
}

const [mode, url, count] = process.argv.slice(2)
if (mode === 'clients') runClients(url!, Number(count))
else await main(Number(mode ?? 1000), Number(url ?? 2000))
