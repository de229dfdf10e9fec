import http from 'node:http'

/** Hop-by-hop headers: they describe one connection, not the message. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade'])

/**
 * A handler for {@link BrowserHarness.open} that forwards every request to another server
 * on 127.0.0.1, so a page reaches it on its own origin (no CORS). Each request gets its own
 * upstream connection, released as soon as either side goes; an upstream cut mid-body
 * becomes a cut for the browser too. `responseHeaders` are added to every answer.
 *
 * @example
 * ```ts
 * const app = await browser.open({ entry, handler: forwardTo(() => 'http://127.0.0.1:4000') })
 * ```
 */
export function forwardTo(
  origin: () => string,
  options: { responseHeaders?: Record<string, string> } = {},
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const headers = { ...req.headers }
    delete headers.host
    for (const name of HOP_BY_HOP) delete headers[name]
    const upstream = http.request(
      new URL(req.url ?? '/', origin()),
      { method: req.method, headers, agent: false },
      (answer) => {
        const forwarded = { ...answer.headers, ...options.responseHeaders }
        for (const name of HOP_BY_HOP) delete forwarded[name]
        res.writeHead(answer.statusCode ?? 502, forwarded)
        res.flushHeaders()
        answer.pipe(res)
        answer.on('close', () => {
          if (!answer.complete) res.destroy()
        })
      },
    )
    upstream.on('error', () => res.destroy())
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  }
}
