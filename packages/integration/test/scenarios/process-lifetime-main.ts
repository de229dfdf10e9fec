import { createClient } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'

// Runs in a child process (process-lifetime.test.ts): a Node script whose only work is the
// stream, as the getting-started client is. Argument 1 is the url, argument 2 the variant.

/** The clients the test runs, by the argument that picks one. */
export type Variant = 'default' | 'keepProcessAlive: false' | 'close after the first drop'

const [url = '', variant] = process.argv.slice(2) as [string?, Variant?]

// Past the default variant, the wait after a drop is 30 s, far longer than the test waits
// for the exit: a timer or socket still holding the process shows as a timeout.
const longWait = { backoff: { initial: 60_000, max: 60_000 }, environment: { random: () => 0.5 } }

const client = createClient({
  url,
  transports: [sseFetch()],
  ...(variant === 'default' ? {} : longWait),
  ...(variant === 'keepProcessAlive: false' ? { keepProcessAlive: false } : {}),
})
if (variant === 'close after the first drop')
  client.connection.on('state', ({ to }) => {
    if (to === 'reconnecting') client.close()
  })
// The one line the test reads: what the client was doing when the process ended.
process.on('exit', () => process.stdout.write(`exited while ${client.connection.state}\n`))
