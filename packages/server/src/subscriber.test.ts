import { describe, expect, it } from 'vitest'
import { createSubscriber, MAX_PACKED_BYTES, type Outlet, type Subscriber } from './subscriber'

/** An outlet that records writes and completes them only when the test says so. */
function manualOutlet() {
  const writes: Uint8Array[] = []
  const done: (() => void)[] = []
  let ended = false
  let destroyed = false
  const outlet: Outlet = {
    write(chunk, written) {
      writes.push(chunk)
      done.push(written)
    },
    end: () => {
      ended = true
    },
    destroy: () => {
      destroyed = true
    },
  }
  return {
    outlet,
    writes,
    complete: () => done.shift()?.(),
    get ended() {
      return ended
    },
    get destroyed() {
      return destroyed
    },
  }
}

function setup(maxBufferedBytes = 1024 * 1024) {
  const io = manualOutlet()
  const cuts: Subscriber[] = []
  const gone: Subscriber[] = []
  const subscriber = createSubscriber({
    stream: 's',
    pipe: 'sse',
    outlet: io.outlet,
    maxBufferedBytes,
    onCut: (s) => cuts.push(s),
    onGone: (s) => gone.push(s),
  })
  return { io, subscriber, cuts, gone }
}

const bytes = (size: number, fill = 97) => new Uint8Array(size).fill(fill)

describe('subscriber', () => {
  it('keeps one write in flight and packs what waited into the next write', () => {
    const { io, subscriber } = setup()
    subscriber.send(bytes(10, 1))
    subscriber.send(bytes(10, 2))
    subscriber.send(bytes(10, 3))
    expect(io.writes).toHaveLength(1)
    io.complete()
    expect(io.writes).toHaveLength(2)
    expect([...io.writes[1]!]).toEqual([...bytes(10, 2), ...bytes(10, 3)])
  })

  it('packs at most 64 KiB into one write, but never splits a chunk', () => {
    const { io, subscriber } = setup()
    subscriber.send(bytes(1))
    const big = bytes(MAX_PACKED_BYTES / 2)
    for (let i = 0; i < 3; i++) subscriber.send(big)
    subscriber.send(bytes(MAX_PACKED_BYTES * 2))
    io.complete()
    io.complete()
    io.complete()
    expect(io.writes.map((w) => w.byteLength)).toEqual([
      1,
      MAX_PACKED_BYTES,
      MAX_PACKED_BYTES / 2,
      MAX_PACKED_BYTES * 2,
    ])
  })

  it('cuts a subscriber whose backlog passes the limit, and reports it', () => {
    const { io, subscriber, cuts, gone } = setup(100)
    subscriber.send(bytes(60))
    subscriber.send(bytes(40))
    expect(cuts).toHaveLength(0)
    subscriber.send(bytes(1))
    expect(cuts).toEqual([subscriber])
    expect(io.destroyed).toBe(true)
    expect(gone).toEqual([subscriber])
    expect(subscriber.state).toBe('ended')
    expect(subscriber.bufferedBytes).toBe(0)
  })

  it('counts live entries held during the replay toward the limit', () => {
    const { subscriber, cuts } = setup(100)
    subscriber.hold({ id: 'e-1', type: 'message', data: '' }, 80)
    subscriber.send(bytes(30))
    expect(cuts).toEqual([subscriber])
  })

  it('ends after the last chunk has gone out', () => {
    const { io, subscriber } = setup()
    subscriber.send(bytes(5))
    subscriber.end(bytes(3))
    expect(io.ended).toBe(false)
    io.complete()
    expect(io.writes.at(-1)?.byteLength).toBe(3)
    expect(io.ended).toBe(false)
    io.complete()
    expect(io.ended).toBe(true)
    subscriber.send(bytes(1))
    expect(io.writes).toHaveLength(2)
  })

  it('sends heartbeats only when live and idle', async () => {
    const { io, subscriber } = setup()
    const beat = bytes(3)
    subscriber.heartbeat(beat)
    expect(io.writes).toHaveLength(0)
    subscriber.goLive()
    subscriber.heartbeat(beat)
    expect(io.writes).toEqual([beat])
    subscriber.heartbeat(beat)
    expect(io.writes).toHaveLength(1)
  })

  it('resolves flushed once the queue has gone out', async () => {
    const { io, subscriber } = setup()
    subscriber.send(bytes(1))
    subscriber.send(bytes(1))
    let flushed = false
    const waiting = subscriber.flushed().then(() => {
      flushed = true
    })
    await Promise.resolve()
    expect(flushed).toBe(false)
    io.complete()
    io.complete()
    await waiting
    expect(flushed).toBe(true)
  })
})
