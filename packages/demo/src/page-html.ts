import { DEMO_TIMINGS } from './timings'

/** What the server tells the page script, embedded in the page as JSON. */
export interface PageConfig {
  /** The SSE URL behind the fault proxy; the websocket adapter derives its `ws:` URL. */
  streamUrl: string
}

const seconds = (ms: number) => `${ms / 1_000} s`

/**
 * The demo page: plain HTML the page script fills in. The config is embedded as JSON with
 * `<` escaped, so no value can end the script element.
 *
 * @example
 * ```ts
 * res.end(pageHtml({ streamUrl: 'http://127.0.0.1:40123/events' }))
 * ```
 */
export function pageHtml(config: PageConfig): string {
  const json = JSON.stringify(config).replaceAll('<', '\\u003c')
  const t = DEMO_TIMINGS
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lifeline demo</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1rem auto; max-width: 72rem; padding: 0 1rem; color: #222 }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem }
  .row { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; margin: .75rem 0 }
  .pill { font-weight: 600; padding: .1rem .5rem; border-radius: .75rem; background: #eee }
  .pill[data-value="open"] { background: #cfc } .pill[data-value="reconnecting"] { background: #fec }
  .pill[data-value="closed"] { background: #fcc } .pill[data-value="websocket"] { background: #cdf }
  button { font: inherit; padding: .3rem .7rem; cursor: pointer }
  .counters div { min-width: 8rem } .counters b { font-size: 1.3rem; display: block }
  #contiguity[data-ok="false"] { color: #b00 } #contiguity[data-ok="true"] { color: #070 }
  .columns { display: grid; grid-template-columns: 1fr 1.4fr; gap: 1.5rem }
  ol { list-style: none; padding: 0; margin: 0; font: 12px/1.5 ui-monospace, monospace; max-height: 28rem; overflow: auto }
  li { border-bottom: 1px solid #eee; white-space: nowrap; overflow: hidden; text-overflow: ellipsis }
  li.gap { background: #fee } li.transport { background: #eef } li.resumed { background: #efe }
  li.fault { font-weight: 600 }
  small { color: #666 }
</style>
<h1>Lifeline demo</h1>
<p>A ticker streams from <code>@lifeline/server</code> through a fault-injecting proxy to a
<code>createClient</code> with <code>[sseFetch(), websocket(), sseXhr()]</code>. Break it with the
buttons and watch the client recover: every tick once, in order, or a <code>gap</code> when history is gone.</p>
<div class="row">
  <span>state <span class="pill" id="state">idle</span></span>
  <span>transport <span class="pill" id="transport">-</span></span>
  <span>resume point <code id="last-id">-</code></span>
  <label>strategy <select id="strategy">
    <option value="resilient" selected>resilient</option>
    <option value="close-event">close-event</option>
    <option value="reset">reset</option>
    <option value="fallback">fallback</option>
    <option value="none">none</option>
  </select></label>
</div>
<div class="row">
  <button data-action="cut" title="RST on every connection">Cut the stream</button>
  <button data-action="stall" title="connections stay open, nothing flows">Stall it</button>
  <button data-action="block-sse" id="block-sse" title="502 on SSE requests; WebSocket passes">Block SSE</button>
  <button data-action="restart" title="new in-memory log: old ids are unknown">Restart server (empty history)</button>
  <button data-action="close-event" title="graceful deploy: close event, same history">Send close event</button>
</div>
<div class="row counters">
  <div>delivered <b id="delivered">0</b></div>
  <div>duplicates dropped <b id="duplicates">0</b></div>
  <div>gaps <b id="gaps">0</b></div>
  <div>ticks in order <b id="contiguity" data-ok="true">yes</b></div>
</div>
<div class="columns">
  <section><h2>Feed <small>newest first</small></h2><ol id="feed"></ol></section>
  <section><h2>Timeline <small>state and transport changes, with reasons</small></h2><ol id="timeline"></ol></section>
</div>
<p><small>Demo timings, short so effects show within seconds: heartbeat ${seconds(t.heartbeat)}
(default 15 s), heartbeatTimeout ${seconds(t.heartbeatTimeout)} (45 s), firstByteTimeout
${seconds(t.firstByteTimeout)} (10 s), connectTimeout ${seconds(t.connectTimeout)} (10 s), backoff
${seconds(t.backoff.initial)}–${seconds(t.backoff.max)} (1–30 s), upgradeAfter ${seconds(t.upgradeAfter)}
(60 s), server retry ${seconds(t.retry)} (1 s).</small></p>
<script type="application/json" id="config">${json}</script>
<script type="module" src="/app.js"></script>
</html>
`
}
