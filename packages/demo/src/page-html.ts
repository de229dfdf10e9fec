import { LANE_COLOURS } from './page/lanes'
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
  h2 { font-size: 1.05rem; margin: .5rem 0 .25rem }
  .row { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; margin: .75rem 0 }
  /* Fixed widths: a value changing never moves what follows it. */
  .pill { display: inline-block; width: 7.5rem; text-align: center; font-weight: 600; padding: .1rem 0; border-radius: .75rem; background: #eee }
  .pill[data-value="open"] { background: #cfc } .pill[data-value="reconnecting"] { background: #fec }
  .pill[data-value="closed"] { background: #fcc } .pill[data-value="websocket"] { background: #cdf }
  #last-id { display: inline-block; width: 9rem; overflow: hidden; vertical-align: bottom }
  button { font: inherit; padding: .3rem .7rem; cursor: pointer }
  #block-sse { width: 8.5rem }
  .counters div { width: 9.5rem } .counters b { font-size: 1.3rem; display: block; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis }
  .counters .wide { width: 15rem }
  #contiguity[data-state="ok"] { color: #070 } #contiguity[data-state="gap"] { color: #a60 } #contiguity[data-state="broken"] { color: #b00 }
  figure { margin: .5rem 0 1rem }
  #lanes { display: block; width: 100%; height: 150px; border: 1px solid #ddd; border-radius: 4px }
  #upgrade-note { height: 1.4em; margin: .3rem 0 0; white-space: nowrap; overflow: hidden; font-variant-numeric: tabular-nums }
  .legend { display: flex; flex-wrap: wrap; gap: .2rem 1rem; font-size: 12px; color: #555; margin-top: .3rem }
  .legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; border-radius: 2px }
  .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem }
  ol { list-style: none; padding: 0; margin: 0; font: 12px/18px ui-monospace, monospace; height: 432px; overflow: hidden }
  li { height: 18px; border-bottom: 1px solid #eee; box-sizing: border-box; white-space: nowrap; overflow: hidden; text-overflow: ellipsis }
  li.gap { background: #fff1d6 } li.broken { background: #fdd } li.transport { background: #eef } li.resumed { background: #efe }
  li.replayed { color: #6c2d91 } li.fault { font-weight: 600 }
  details { margin: .5rem 0 } small { color: #666 }
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
  <div>replayed <b id="replayed">0</b></div>
  <div>duplicates dropped <b id="duplicates">0</b></div>
  <div>gaps <b id="gaps">0</b></div>
  <div class="wide">ticks in order <b id="contiguity" data-state="ok">yes</b></div>
</div>
<figure>
  <canvas id="lanes" role="img" aria-label="Timeline of the last minute: one lane per transport, with its connecting and open stretches, delivered events, faults, drops, switches, probes and gaps"></canvas>
  <p id="upgrade-note"></p>
  <div class="legend">
    <span><i style="background:${LANE_COLOURS.open}"></i>open</span>
    <span><i style="background:${LANE_COLOURS.connecting}"></i>connecting</span>
    <span><i style="background:${LANE_COLOURS.event}"></i>event</span>
    <span><i style="background:${LANE_COLOURS.replayed}"></i>replayed event</span>
    <span><i style="background:${LANE_COLOURS.fault}"></i>fault (dashed, all lanes)</span>
    <span><i style="background:${LANE_COLOURS.drop}"></i>▲ drop</span>
    <span><i style="background:${LANE_COLOURS.switch}"></i>◆ switch</span>
    <span><i style="background:${LANE_COLOURS.probe}"></i>● upgrade probe</span>
    <span><i style="background:${LANE_COLOURS.gap}"></i>■ gap</span>
    <span><i style="background:${LANE_COLOURS.resumed}"></i>● resumed</span>
  </div>
</figure>
<details open>
  <summary>Why the upgrade back takes a while after “Unblock SSE”</summary>
  <p>The client does not watch for SSE to come back. Once it serves on WebSocket it starts a
  clock, and after <code>upgradeAfter</code> of stable service (${seconds(t.upgradeAfter)} here,
  60 s by default) it <em>probes</em> sse-fetch in the background while WebSocket keeps
  delivering. A probe that fails (SSE still blocked) restarts the clock; one that delivers
  the position block or an event takes over, resuming after the last id, so nothing is
  lost or repeated. So the upgrade comes at the next probe after you unblock: between 0 and
  ${seconds(t.upgradeAfter)} later, plus the probe's own connect. The line under the
  timeline counts down to the next probe.</p>
</details>
<div class="columns">
  <section><h2>Feed <small>newest first; ↺ marks events replayed by a resume</small></h2><ol id="feed"></ol></section>
  <section><h2>Log <small>state and transport changes, with reasons</small></h2><ol id="log"></ol></section>
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
