import { startDemo } from './demo'

// The command-line entry of `npm run demo`: PORT from the environment, 0 lets the OS choose.
const port = Number(process.env.PORT ?? 0)
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number (0-65535), got ${process.env.PORT}`)
  process.exit(1)
}

const demo = await startDemo({ port })
console.log(`Lifeline demo: ${demo.url}  (Ctrl-C stops it)`)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await demo.close()
  console.log('Lifeline demo stopped')
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
