// @ts-check
// Asks the example server (PORT, default 8080) a question and prints the answer as it
// streams: `node ask.mjs "why SSE?"`. Cut the network or kill this process and run
// `node ask.mjs --follow <id>` to see the answer rendered again from its first token.
import { followAnswer } from './answer-client.mjs'

const origin = `http://127.0.0.1:${process.env.PORT ?? 8080}`
const [flag, value] = process.argv.slice(2)
let id = flag === '--follow' ? value : undefined
if (id === undefined) {
  const response = await fetch(`${origin}/answers`, { method: 'POST', body: flag ?? '' })
  id = /** @type {{ id: string }} */ (await response.json()).id
  console.error(`answer ${id} (stop it: curl -X POST ${origin}/answers/${id}/stop)`)
}
const view = followAnswer(`${origin}/answers/${id}/events`, {
  onToken: (token) => process.stdout.write(token),
})
const outcome = await view.finished
process.stdout.write(
  `\n[${outcome}: ${view.tokens()} tokens${view.gaps() > 0 ? ', with a gap' : ''}]\n`,
)
