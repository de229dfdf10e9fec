// @ts-check
import { hub } from '../../lib/hub.mjs'

// A stream never ends on its own: never cache or prerender it, and run it on Node, where
// the hub's in-memory log lives (an edge function would get a hub of its own per isolate).
export const dynamic = 'force-dynamic'
export const runtime = 'nodejs'

/**
 * `GET /events?room=…`: the Web `Response` of `hub.fetch` streams the room's events; the
 * request's signal ends it when the client goes.
 *
 * @param {Request} request
 */
export function GET(request) {
  const room = new URL(request.url).searchParams.get('room') ?? 'lobby'
  return hub.fetch(request, { stream: `room:${room}` })
}
