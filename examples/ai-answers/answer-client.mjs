// @ts-check
import { createClient } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { websocket } from '@lifeline/websocket'

/**
 * @typedef {object} AnswerView
 * @property {import('@lifeline/core').Client} client
 * @property {() => string} text the answer so far
 * @property {() => number} tokens how many tokens were rendered
 * @property {Promise<'complete' | 'stopped' | 'closed'>} finished
 *   how the answer ended: by the server (`complete`, `stopped`) or by `client.close()`
 * @property {() => number} gaps how often history was lost (the answer has a hole)
 */

/**
 * Follows one answer's stream and renders it: every token once, in order, whatever happens
 * to the connection. Without a stored point it asks for the answer `from: 'start'`, so a
 * page that reloads mid-answer renders it from its first token; with `persist` it resumes
 * after the last token it rendered instead (for an app that keeps the text itself).
 *
 * @param {string} url the answer's events URL
 * @param {{
 *   onToken?: (token: string) => void,
 *   transports?: import('@lifeline/core').Transport[],
 *   persist?: import('@lifeline/core').ClientOptions['persist'],
 *   fetch?: typeof fetch,
 * }} [options]
 * @returns {AnswerView}
 */
export function followAnswer(url, options = {}) {
  const client = createClient({
    url,
    transports: options.transports ?? [sseFetch(), websocket()],
    from: 'start',
    persist: options.persist,
    backoff: { initial: 100, max: 2_000 },
  })
  let text = ''
  let tokens = 0
  let gaps = 0
  /** @type {'complete' | 'stopped' | undefined} */
  let reason
  client.on('token', (event) => {
    text += event.data
    tokens++
    options.onToken?.(event.data)
  })
  client.on('done', (event) => {
    reason = JSON.parse(event.data).reason
  })
  // A reset (the server lost the answer's history): the text has a hole; say so.
  client.connection.on('gap', () => void gaps++)
  const finished = new Promise((resolve) => {
    client.connection.on('state', ({ to }) => {
      if (to === 'closed') resolve(reason ?? 'closed')
    })
  })
  return {
    client,
    text: () => text,
    tokens: () => tokens,
    gaps: () => gaps,
    finished: /** @type {AnswerView['finished']} */ (finished),
  }
}
