import { describe, expect, it } from 'vitest'
import { createTimeline } from './timeline'

describe('createTimeline', () => {
  it('draws a stretch per transport and state, ending the last one at each change', () => {
    const timeline = createTimeline(['sse-fetch', 'websocket'])
    timeline.connection('connecting', 'sse-fetch', 0)
    timeline.connection('open', 'sse-fetch', 10)
    timeline.connection('reconnecting', 'sse-fetch', 50)
    timeline.connection('reconnecting', 'websocket', 60)
    timeline.connection('open', 'websocket', 70)
    expect(timeline.segments).toEqual([
      { lane: 'sse-fetch', state: 'connecting', from: 0, to: 10 },
      { lane: 'sse-fetch', state: 'open', from: 10, to: 50 },
      { lane: 'sse-fetch', state: 'connecting', from: 50, to: 60 },
      { lane: 'websocket', state: 'connecting', from: 60, to: 70 },
      { lane: 'websocket', state: 'open', from: 70, to: undefined },
    ])
  })

  it('treats connecting and reconnecting as one stretch, and draws nothing once closed', () => {
    const timeline = createTimeline(['sse-fetch'])
    timeline.connection('connecting', 'sse-fetch', 0)
    timeline.connection('reconnecting', 'sse-fetch', 5)
    timeline.connection('closed', 'sse-fetch', 9)
    timeline.connection('closed', 'sse-fetch', 12)
    expect(timeline.segments).toEqual([{ lane: 'sse-fetch', state: 'connecting', from: 0, to: 9 }])
  })

  it('marks the last deliveries as replayed when a resume reports them', () => {
    const timeline = createTimeline(['websocket'])
    for (const at of [1, 2, 3]) timeline.delivered('websocket', at)
    timeline.replayed(2)
    expect(timeline.deliveries.map((d) => d.replayed)).toEqual([false, true, true])
    timeline.replayed(0)
    expect(timeline.deliveries.map((d) => d.replayed)).toEqual([false, true, true])
  })

  it('forgets what ended before the window, and keeps what still lasts', () => {
    const timeline = createTimeline(['sse-fetch'])
    timeline.connection('open', 'sse-fetch', 0)
    timeline.mark('fault', undefined, 'Cut', 5)
    timeline.delivered('sse-fetch', 6)
    timeline.mark('gap', 'sse-fetch', 'gap', 50)
    timeline.prune(10)
    expect(timeline.segments).toHaveLength(1)
    expect(timeline.marks.map((m) => m.kind)).toEqual(['gap'])
    expect(timeline.deliveries).toEqual([])
  })
})
