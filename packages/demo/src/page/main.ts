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
import { createContiguity } from './contiguity'
import { byId, describeReason, prepend, show } from './view'

const config = JSON.parse(byId('config').textContent ?? '{}') as PageConfig
const contiguity = createContiguity()
const ticks: number[] = []
// Counters of clients replaced by a strategy change, so the page's totals keep counting.
const earlier = { events: 0, duplicates: 0, gaps: 0 }
let client: Client

/** A preset with the demo's short `upgradeAfter`, so the upgrade back shows within seconds. */
function strategyFor(preset: StrategyPreset): Strategy {
  const strategy = STRATEGY_PRESETS[preset]
  return {
    ...strategy,
    upgradeAfter: strategy.upgradeAfter === false ? false : DEMO_TIMINGS.upgradeAfter,
  }
}

function counters(): Pick<Diagnostics, 'events' | 'duplicates' | 'gaps'> {
  const now = client.connection.diagnostics()
  return {
    events: earlier.events + now.events,
    duplicates: earlier.duplicates + now.duplicates,
    gaps: earlier.gaps + now.gaps,
  }
}

function render(): void {
  const { events, duplicates, gaps } = counters()
  show('delivered', events)
  show('duplicates', duplicates)
  show('gaps', gaps)
  show('state', client.connection.state)
  show('transport', client.connection.transport)
  show('last-id', client.connection.lastEventId ?? '-')
  const check = byId('contiguity')
  const broken = contiguity.breaks[0]
  check.textContent = broken === undefined ? 'yes' : `no: ${broken.after} → ${broken.got}`
  check.dataset.ok = String(contiguity.ok)
}

function connect(preset: StrategyPreset, lastEventId: string | undefined): Client {
  const next = createClient({
    url: config.streamUrl,
    transports: [sseFetch(), websocket(), sseXhr()],
    strategy: strategyFor(preset),
    lastEventId,
    backoff: DEMO_TIMINGS.backoff,
    connectTimeout: DEMO_TIMINGS.connectTimeout,
    firstByteTimeout: DEMO_TIMINGS.firstByteTimeout,
    heartbeatTimeout: DEMO_TIMINGS.heartbeatTimeout,
  })
  next.on('*', (type, event) => {
    if (type === 'tick') {
      const tick = JSON.parse(event.data) as Tick
      ticks.push(tick.n)
      const verdict = contiguity.accept(tick.n)
      const note = verdict === 'after-gap' ? '  ← after the gap' : ''
      prepend(
        'feed',
        `#${event.id}  n=${tick.n}  ${tick.symbol} ${tick.price.toFixed(2)}  via ${event.transport}${note}`,
        verdict === 'after-gap' ? 'gap' : '',
        40,
      )
    } else prepend('feed', `#${event.id ?? ''}  ${type}: ${event.data}`, 'transport', 40)
    render()
  })
  const { connection } = next
  connection.on('state', ({ from, to, reason }) => {
    prepend('timeline', `state ${from} → ${to}${describeReason(reason)}`)
    render()
  })
  connection.on('transport', ({ from, to, reason }) => {
    prepend('timeline', `transport ${from} → ${to}${describeReason(reason)}`, 'transport')
    render()
  })
  connection.on('gap', ({ lastEventId: lost, reason }) => {
    contiguity.gap()
    const why = reason.kind === 'reset' ? 'the server said so' : `after ${reason.kind} failures`
    prepend('timeline', `gap (${why}): history after ${lost ?? '-'} is lost; refetch state`, 'gap')
    render()
  })
  connection.on('resumed', ({ replayed }) => {
    prepend('timeline', `resumed: ${replayed} replayed`, 'resumed')
  })
  connection.on('retry', ({ ms }) => prepend('timeline', `retry in ${ms} ms`))
  connection.on('error', (error) => prepend('timeline', `error: ${error.message}`))
  return next
}

async function control(button: HTMLButtonElement): Promise<void> {
  const action = button.dataset.action ?? ''
  prepend('timeline', `fault: ${button.textContent}`, 'fault')
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
  const { events, duplicates, gaps } = counters()
  Object.assign(earlier, { events, duplicates, gaps })
  client.close()
  // The new client resumes where the old one stopped: switching strategy loses nothing.
  client = connect(picker.value as StrategyPreset, resumeFrom)
  prepend('timeline', `strategy → ${picker.value}, resuming after ${resumeFrom ?? '-'}`, 'resumed')
  render()
})

client = connect(picker.value as StrategyPreset, undefined)
render()

/** What a test or a curious viewer (in the console) can read of the page. */
export interface DemoSnapshot {
  state: string
  transport: string
  ticks: number[]
  ok: boolean
  counters: Pick<Diagnostics, 'events' | 'duplicates' | 'gaps'>
}

;(globalThis as { lifelineDemo?: { snapshot(): DemoSnapshot } }).lifelineDemo = {
  snapshot: () => ({
    state: client.connection.state,
    transport: client.connection.transport,
    ticks: [...ticks],
    ok: contiguity.ok,
    counters: counters(),
  }),
}
