// @ts-check
import { hub } from '../../lib/hub.mjs'

export const dynamic = 'force-dynamic'
export const runtime = 'nodejs'

/**
 * `POST /publish?room=…` publishes the request's text to the room.
 *
 * @param {Request} request
 */
export async function POST(request) {
  const room = new URL(request.url).searchParams.get('room') ?? 'lobby'
  const id = await hub.publish(`room:${room}`, { type: 'message', data: await request.text() })
  return Response.json({ id })
}
