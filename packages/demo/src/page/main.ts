import {
  type Client,
  createClient,
  type Diagnostics,
  STRATEGY_PRESETS,
  type Strategy,
  type StrategyPreset,
} from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { sseXhr } from '@lifeline/sse-xhr'
import { websocket } from '@lifeline/websocket'
import type { ControlState } from '../controls'
import type { PageConfig } from '../page-html'
import type { Tick } from '../ticker'
import { DEMO_TIMINGS } from '../timings'
import { createContiguity, orderOf } from './contiguity'
import { drawLanes } from './lanes'
import { createTimeline, type MarkKind } from './timeline'
import { byId, createRows, describeReason, show } from './view'

const config = JSON.parse(byId('config').textContent ?? '{}') as PageConfig
const LANES = ['sse-fetch', 'websocket', 'sse-xhr'] as const
/** The drawing shows the last minute. */
const WINDOW_MS = 60_000
const contiguity = createContiguity()
const timeline = createTimeline(LANES)
const feed = createRows('feed', 24)
const log = createRows('log', 24)
const ticks: number[] = []
// Counters of clients replaced by a strategy change, so the page's totals keep counting.
const earlier = { events: 0, duplicates: 0, gaps: 0, connects: 0 }
let replayedTotal = 0
let client: Client
let strategy: Strategy
/** When the client last started serving on a fallback, or last probed from one. */
let upgradeClock: number | undefined
/** Attempts counted when the stream last opened. */
let seenConnects = 0

/** A preset with the demo's short `upgradeAfter`, so the upgrade back shows within seconds. */
function strategyFor(preset: StrategyPreset): Strategy {
  const chosen = STRATEGY_PRESETS[preset]
  return {
    ...chosen,
    upgradeAfter: chosen.upgradeAfter === false ? false : DEMO_TIMINGS.upgradeAfter,
  }
}

function counters(): Pick<Diagnostics, 'events' | 'duplicates' | 'gaps' | 'connects'> {
  const now = client.connection.diagnostics()
  return {
    events: earlier.events + now.events,
    duplicates: earlier.duplicates + now.duplicates,
    gaps: earlier.gaps + now.gaps,
    connects: earlier.connects + now.connects,
  }
}

function mark(kind: MarkKind, lane: string | undefined, label: string): void {
  timeline.mark(kind, lane, label, performance.now())
}

function render(): void {
  const { events, duplicates, gaps } = counters()
  show('delivered', events)
  show('duplicates', duplicates)
  show('gaps', gaps)
  show('replayed', replayedTotal)
  show('state', client.connection.state)
  show('transport', client.connection.transport)
  show('last-id', client.connection.lastEventId ?? '-')
  const check = byId('contiguity')
  const order = orderOf(contiguity)
  check.textContent = order.text
  check.dataset.state = order.state
}

/** The line under the drawing that says when the client will try its preferred pipe again. */
function renderUpgradeNote(now: number): void {
  const { state, transport } = client.connection
  const note = byId('upgrade-note')
  if (transport === LANES[0]) note.textContent = `on ${LANES[0]}, the preferred transport`
  else if (strategy.upgradeAfter === false)
    note.textContent = `on ${transport}; this strategy never upgrades`
  else if (state !== 'open' || upgradeClock === undefined)
    note.textContent = `on ${transport}, not yet stable: the upgrade clock has not started`
  else {
    const left = Math.max(0, upgradeClock + strategy.upgradeAfter - now)
    note.textContent = `on ${transport} · next ${LANES[0]} probe in ≈${Math.ceil(left / 1_000)} s`
  }
}

/** Probes are attempts opened while the stream is open on a fallback. */
function watchProbes(now: number): void {
  const { connects } = counters()
  const { state, transport } = client.connection
  if (connects > seenConnects && state === 'open' && transport !== LANES[0]) {
    mark('probe', LANES[0], 'probe')
    upgradeClock = now
  }
  seenConnects = connects
}

function connect(preset: StrategyPreset, lastEventId: string | undefined): Client {
  strategy = strategyFor(preset)
  const next = createClient({
    url: config.streamUrl,
    transports: [sseFetch(), websocket(), sseXhr()],
    strategy,
    lastEventId,
    backoff: DEMO_TIMINGS.backoff,
    connectTimeout: DEMO_TIMINGS.connectTimeout,
    firstByteTimeout: DEMO_TIMINGS.firstByteTimeout,
    heartbeatTimeout: DEMO_TIMINGS.heartbeatTimeout,
  })
  next.on('*', (type, event) => {
    timeline.delivered(event.transport, performance.now())
    if (type === 'tick') {
      const tick = JSON.parse(event.data) as Tick
      ticks.push(tick.n)
      const lostBefore = contiguity.lost
      const verdict = contiguity.accept(tick.n)
      const line = `#${event.id}  n=${tick.n}  ${tick.symbol} ${tick.price.toFixed(2)}  via ${event.transport}`
      if (verdict === 'after-gap')
        feed.add(`${line}  ← ${contiguity.lost - lostBefore} lost before it (gap)`, 'gap')
      else if (verdict === 'skip' || verdict === 'duplicate')
        feed.add(`${line}  ✗ ${verdict}`, 'broken')
      else feed.add(line)
    } else feed.add(`#${event.id ?? ''}  ${type}: ${event.data}`, 'transport')
    render()
  })
  const { connection } = next
  connection.on('state', ({ from, to, reason }) => {
    const now = performance.now()
    timeline.connection(to, connection.transport, now)
    if (to === 'reconnecting') mark('drop', connection.transport, describeReason(reason))
    if (to === 'open' && connection.transport !== LANES[0]) upgradeClock = now
    // Attempts made to get here were reconnects; only later ones, made while open, are probes.
    if (to === 'open') seenConnects = counters().connects
    log.add(`state ${from} → ${to}${describeReason(reason)}`)
    render()
  })
  connection.on('transport', ({ from, to, reason }) => {
    timeline.connection(connection.state, to, performance.now())
    mark('switch', to, describeReason(reason))
    upgradeClock = undefined
    log.add(`transport ${from} → ${to}${describeReason(reason)}`, 'transport')
    render()
  })
  connection.on('gap', ({ lastEventId: lost, reason }) => {
    contiguity.gap()
    mark('gap', connection.transport, 'gap')
    const why = reason.kind === 'reset' ? 'the server said so' : `after ${reason.kind} failures`
    log.add(`gap (${why}): history after ${lost ?? '-'} is lost; refetch state`, 'gap')
    render()
  })
  connection.on('resumed', ({ replayed }) => {
    timeline.replayed(replayed)
    feed.tag(replayed, 'replayed', '  ↺ replayed')
    replayedTotal += replayed
    mark('resumed', connection.transport, 'resumed')
    log.add(`resumed: ${replayed} replayed`, 'resumed')
    render()
  })
  connection.on('retry', ({ ms }) => log.add(`retry in ${ms} ms`))
  connection.on('error', (error) => log.add(`error: ${error.message}`))
  return next
}

async function control(button: HTMLButtonElement): Promise<void> {
  const action = button.dataset.action ?? ''
  mark('fault', undefined, button.textContent ?? action)
  log.add(`fault: ${button.textContent}`, 'fault')
  const response = await fetch(`/control/${action}`, { method: 'POST' })
  const state = (await response.json()) as ControlState
  const block = byId<HTMLButtonElement>('block-sse')
  block.dataset.action = state.sseBlocked ? 'unblock-sse' : 'block-sse'
  block.textContent = state.sseBlocked ? 'Unblock SSE' : 'Block SSE'
}

for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
  button.addEventListener('click', () => void control(button))
}

const picker = byId<HTMLSelectElement>('strategy')
picker.addEventListener('change', () => {
  const resumeFrom = client.connection.lastEventId
  Object.assign(earlier, counters())
  client.close()
  // The new client resumes where the old one stopped: switching strategy loses nothing.
  client = connect(picker.value as StrategyPreset, resumeFrom)
  mark('fault', undefined, `strategy: ${picker.value}`)
  log.add(`strategy → ${picker.value}, resuming after ${resumeFrom ?? '-'}`, 'resumed')
  render()
})

client = connect(picker.value as StrategyPreset, undefined)
render()

const lanes = byId<HTMLCanvasElement>('lanes')
setInterval(() => {
  const now = performance.now()
  watchProbes(now)
  timeline.prune(now - WINDOW_MS)
  drawLanes(lanes, timeline, now, WINDOW_MS)
  renderUpgradeNote(now)
}, 250)

/** What a test or a curious viewer (in the console) can read of the page. */
export interface DemoSnapshot {
  state: string
  transport: string
  ticks: number[]
  ok: boolean
  /** The "in order" indicator: `ok`, `gap` (ticks lost, app told) or `broken`. */
  order: 'ok' | 'gap' | 'broken'
  lost: number
  replayed: number
  /** The timeline's marks in the window: kind and lane (`*` for every lane). */
  marks: string[]
  /** The lanes that had a connecting or open stretch in the window. */
  lanesUsed: string[]
  counters: Pick<Diagnostics, 'events' | 'duplicates' | 'gaps'>
}

;(globalThis as { lifelineDemo?: { snapshot(): DemoSnapshot } }).lifelineDemo = {
  snapshot: () => {
    const { events, duplicates, gaps } = counters()
    return {
      state: client.connection.state,
      transport: client.connection.transport,
      ticks: [...ticks],
      ok: contiguity.ok,
      order: orderOf(contiguity).state,
      lost: contiguity.lost,
      replayed: replayedTotal,
      marks: timeline.marks.map((m) => `${m.kind}@${m.lane ?? '*'}`),
      lanesUsed: [...new Set(timeline.segments.map((s) => s.lane))],
      counters: { events, duplicates, gaps },
    }
  },
}
