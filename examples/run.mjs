// `npm start` of every example: imports its server.mjs and starts it on PORT (default 8080).
// Needs the packages built once (`npm run build` at the root): examples use them as a user would.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const { start } = await import(pathToFileURL(resolve(process.argv[2] ?? 'server.mjs')).href)
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read when a person runs it, never by turbo.
const example = await start(Number(process.env.PORT ?? 8080))
console.log(`events (SSE and WebSocket): ${example.url}`)
console.log(`publish: curl -X POST -H 'content-type: text/plain' -d hello ${example.publishUrl}`)
process.once('SIGINT', () => void example.close().then(() => process.exit(0)))
