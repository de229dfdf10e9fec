import type { MarkKind, Timeline } from './timeline'

/** The colours of the drawing; the page's legend uses the same ones. */
export const LANE_COLOURS: Record<MarkKind | 'open' | 'connecting' | 'event' | 'replayed', string> =
  {
    open: '#3f9b5b',
    connecting: '#f2c14e',
    event: '#1f2933',
    replayed: '#8e44ad',
    fault: '#1f2933',
    drop: '#e67e22',
    switch: '#2f6fdf',
    probe: '#8a94a6',
    gap: '#d0312d',
    resumed: '#3f9b5b',
  }

const LABEL_WIDTH = 84
const AXIS_HEIGHT = 18
/** Two rows of fault labels above the lanes. */
const TOP = 30

/**
 * Draws the last `windowMs` of the timeline on a canvas: a lane per transport with its
 * connecting and open stretches, a tick per delivered event (replayed ones in their own
 * colour), and marks for faults (across every lane), drops, switches, probes, gaps and
 * resumes. A canvas, so that redrawing it never moves anything else on the page.
 *
 * @example
 * ```ts
 * setInterval(() => drawLanes(canvas, timeline, performance.now(), 60_000), 250)
 * ```
 */
export function drawLanes(
  canvas: HTMLCanvasElement,
  timeline: Timeline,
  now: number,
  windowMs: number,
): void {
  const ratio = globalThis.devicePixelRatio ?? 1
  const width = canvas.clientWidth
  const height = canvas.clientHeight
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio)
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio)
  const g = canvas.getContext('2d')
  if (g === null) return
  g.setTransform(ratio, 0, 0, ratio, 0, 0)
  g.clearRect(0, 0, width, height)
  g.font = '12px system-ui, sans-serif'
  g.textBaseline = 'middle'

  const start = now - windowMs
  const plot = width - LABEL_WIDTH - 8
  const x = (at: number) => LABEL_WIDTH + ((at - start) / windowMs) * plot
  const laneHeight = (height - TOP - AXIS_HEIGHT) / Math.max(1, timeline.lanes.length)
  const middle = (lane: string) => TOP + (timeline.lanes.indexOf(lane) + 0.5) * laneHeight

  timeline.lanes.forEach((lane, index) => {
    g.fillStyle = index % 2 === 0 ? '#f6f7f9' : '#ffffff'
    g.fillRect(0, TOP + index * laneHeight, width, laneHeight)
    g.fillStyle = '#3c4655'
    g.fillText(lane, 6, middle(lane))
  })

  for (const segment of timeline.segments) {
    const from = Math.max(x(segment.from), LABEL_WIDTH)
    const to = x(segment.to ?? now)
    if (to < LABEL_WIDTH) continue
    g.fillStyle = LANE_COLOURS[segment.state]
    const thick = segment.state === 'open' ? 10 : 6
    g.fillRect(from, middle(segment.lane) - thick / 2, Math.max(1, to - from), thick)
  }

  for (const delivery of timeline.deliveries) {
    if (delivery.at < start) continue
    g.fillStyle = delivery.replayed ? LANE_COLOURS.replayed : LANE_COLOURS.event
    g.fillRect(x(delivery.at) - 0.5, middle(delivery.lane) - 11, 1.5, delivery.replayed ? 6 : 4)
  }

  // Labels that would overlap the one before go to the second row.
  const labelEnds = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]
  for (const mark of timeline.marks) {
    if (mark.at < start) continue
    const at = x(mark.at)
    g.fillStyle = LANE_COLOURS[mark.kind]
    g.strokeStyle = LANE_COLOURS[mark.kind]
    if (mark.lane === undefined) {
      g.setLineDash([3, 3])
      g.beginPath()
      g.moveTo(at, TOP - 4)
      g.lineTo(at, height - AXIS_HEIGHT)
      g.stroke()
      g.setLineDash([])
      const labelWidth = g.measureText(mark.label).width
      const left = Math.min(at + 3, width - labelWidth - 2)
      const row = left > (labelEnds[0] ?? 0) + 6 ? 0 : 1
      labelEnds[row] = left + labelWidth
      g.fillText(mark.label, left, 7 + row * 13)
      continue
    }
    // Switches and probes sit on the bar; drops, gaps and resumes under it.
    const onBar = mark.kind === 'switch' || mark.kind === 'probe'
    const y = middle(mark.lane) + (onBar ? 0 : 11)
    g.beginPath()
    if (mark.kind === 'gap') g.rect(at - 4, y - 4, 8, 8)
    else if (mark.kind === 'drop') {
      g.moveTo(at, y - 5)
      g.lineTo(at + 5, y + 4)
      g.lineTo(at - 5, y + 4)
    } else if (mark.kind === 'switch') {
      g.moveTo(at, y - 7)
      g.lineTo(at + 7, y)
      g.lineTo(at, y + 7)
      g.lineTo(at - 7, y)
    } else g.arc(at, y, mark.kind === 'probe' ? 3 : 4, 0, Math.PI * 2)
    g.closePath()
    g.fill()
    if (onBar) {
      g.strokeStyle = '#ffffff'
      g.stroke()
    }
  }

  g.fillStyle = '#6b7280'
  for (let seconds = 0; seconds <= windowMs / 1_000; seconds += 10) {
    const at = x(now - seconds * 1_000)
    g.fillRect(at, height - AXIS_HEIGHT, 1, 4)
    const label = seconds === 0 ? 'now' : `−${seconds} s`
    const labelWidth = g.measureText(label).width
    g.fillText(
      label,
      Math.min(at - labelWidth / 2, width - labelWidth - 2),
      height - AXIS_HEIGHT / 2 + 2,
    )
  }
}
