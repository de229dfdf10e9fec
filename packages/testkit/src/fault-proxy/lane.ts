import { ResponseHeadScanner } from './http-sniff'
import { bodyScannerFor, type ResponseBodyScanner } from './response-framing'

/** What a lane forwards: bytes, or how the source side closed. */
export type LaneItem = Buffer | 'end' | 'reset'

/** How a lane treats what passes through it; the connection derives it from the fault. */
export interface LaneShape {
  /** Forward nothing; keep everything (a stall). */
  frozen: boolean
  /** Deliver every item this long after it arrived (queued items included). */
  delayMs: number
  /** Bandwidth cap, or `undefined` for none. */
  bytesPerSecond: number | undefined
  /**
   * Hold the body (and with `holdHeaders` the head) until `untilBytes`, the end of the
   * response, or the end of the connection.
   */
  hold: { untilBytes: number | undefined; holdHeaders: boolean } | undefined
  /** Bytes still to deliver before the connection is cut. */
  cutAfter: number | undefined
}

/** A shape that forwards everything at once. */
export const passShape: LaneShape = {
  frozen: false,
  delayMs: 0,
  bytesPerSecond: undefined,
  hold: undefined,
  cutAfter: undefined,
}

/** Where a lane delivers to, and how it tells its owner about it. */
export interface LaneIo {
  /** Writes to the destination socket; `false` asks to wait for {@link Lane.drained}. */
  write(bytes: Buffer): boolean
  end(): void
  reset(): void
  /** Pause or resume reading from the source socket (backpressure). */
  pause(paused: boolean): void
  delivered(bytes: number): void
  /** `cutAfter` bytes went out. */
  cutReached(): void
}

/** A throttled lane sends one slice per tick: `bytesPerSecond / (1000 / sliceMs)` bytes. */
const sliceMs = 50
/** Past this many undelivered bytes the source is paused, as a full TCP window would. */
const highWaterBytes = 1024 * 1024

interface Queued {
  item: LaneItem
  arrived: number
}

/**
 * One direction of a proxied connection: a queue between the source socket and the
 * destination that can freeze, delay, throttle, hold a response body back, and count
 * bytes down to a cut. Order is always kept, the end of the stream included.
 */
export class Lane {
  readonly #io: LaneIo
  #shape: LaneShape = passShape
  #queue: Queued[] = []
  #queuedBytes = 0
  #held: Buffer[] = []
  #heldBytes = 0
  #head: ResponseHeadScanner | undefined
  /** Where the held response's body ends, when its head gave its framing. */
  #body: ResponseBodyScanner | undefined
  #cutLeft: number | undefined
  #nextSliceAt = 0
  #timer: NodeJS.Timeout | undefined
  #blocked = false
  #paused = false
  #done = false

  constructor(io: LaneIo) {
    this.#io = io
  }

  /** Bytes received but not yet delivered (queued or held). */
  get pendingBytes(): number {
    return this.#queuedBytes + this.#heldBytes
  }

  /** A response head comes next: a buffering fault lets it through before holding. */
  expectHead(): void {
    this.#head = new ResponseHeadScanner()
  }

  /** Applies a new shape from now on; bytes held by the old one flow if it no longer holds. */
  shape(shape: LaneShape): void {
    const wasHolding = this.#shape.hold !== undefined
    this.#shape = shape
    if (shape.hold === undefined) this.#body = undefined
    this.#cutLeft = shape.cutAfter
    const until = shape.hold?.untilBytes
    if (
      (wasHolding && shape.hold === undefined) ||
      (until !== undefined && this.#heldBytes >= until)
    )
      this.#flushHeld()
    this.#pump()
  }

  /** Takes the next item read from the source, in order. */
  push(item: LaneItem): void {
    if (this.#done) return
    if (typeof item === 'string') {
      this.#flushHeld()
      this.#enqueue(item)
    } else if (this.#shape.hold !== undefined) {
      this.#hold(item, this.#shape.hold)
    } else {
      if (this.#head?.push(item) !== undefined) this.#head = undefined
      this.#enqueue(item)
    }
    this.#pump()
  }

  /** The destination drained after a `write` returned `false`. */
  drained(): void {
    this.#blocked = false
    this.#pump()
  }

  /** Drops everything and stops; owns no timer afterwards. */
  dispose(): void {
    this.#done = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#queue = []
    this.#held = []
    this.#queuedBytes = 0
    this.#heldBytes = 0
  }

  #hold(chunk: Buffer, hold: NonNullable<LaneShape['hold']>): void {
    let body = chunk
    if (this.#head !== undefined) {
      const scanner = this.#head
      const offset = scanner.push(chunk)
      const head = offset === undefined ? chunk : chunk.subarray(0, offset)
      body = offset === undefined ? Buffer.alloc(0) : chunk.subarray(offset)
      if (hold.holdHeaders) this.#keep(head)
      else this.#enqueue(head)
      if (offset !== undefined) {
        this.#head = undefined
        this.#body = bodyScannerFor(scanner.head ?? '')
        // A body that is complete at once (204, 304, length 0) ends the response here.
        if (this.#body?.done) this.#endResponse()
      }
    }
    const end = body.length === 0 ? undefined : this.#body?.push(body)
    if (end === undefined) this.#keep(body)
    else {
      // A buffering proxy sends a response once it is complete; what follows is not its own.
      this.#keep(body.subarray(0, end))
      this.#endResponse()
      this.#keep(body.subarray(end))
    }
    if (hold.untilBytes !== undefined && this.#heldBytes >= hold.untilBytes) this.#flushHeld()
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0) return
    this.#held.push(bytes)
    this.#heldBytes += bytes.length
  }

  #endResponse(): void {
    this.#body = undefined
    this.#flushHeld()
  }

  #flushHeld(): void {
    if (this.#held.length === 0) return
    // One chunk, so the client gets the whole block at once, as from a proxy's buffer.
    const block = Buffer.concat(this.#held)
    this.#held = []
    this.#heldBytes = 0
    this.#enqueue(block)
  }

  #enqueue(item: LaneItem): void {
    if (typeof item !== 'string') {
      if (item.length === 0) return
      this.#queuedBytes += item.length
    }
    this.#queue.push({ item, arrived: performance.now() })
  }

  #pump(): void {
    while (!this.#done && !this.#shape.frozen && !this.#blocked) {
      const next = this.#queue[0]
      if (next === undefined) break
      const now = performance.now()
      // The delay in force decides, so lifting a latency fault releases what it held.
      const due = next.arrived + this.#shape.delayMs
      if (due > now) {
        this.#wake(due - now)
        return
      }
      if (typeof next.item === 'string') {
        this.#queue.shift()
        this.#done = true
        if (next.item === 'end') this.#io.end()
        else this.#io.reset()
        return
      }
      let bytes = next.item
      const rate = this.#shape.bytesPerSecond
      if (rate !== undefined) {
        if (this.#nextSliceAt > now) {
          this.#wake(this.#nextSliceAt - now)
          return
        }
        const slice = Math.max(1, Math.ceil((rate * sliceMs) / 1000))
        if (bytes.length > slice) {
          next.item = bytes.subarray(slice)
          bytes = bytes.subarray(0, slice)
        } else this.#queue.shift()
        this.#nextSliceAt = now + sliceMs
      } else this.#queue.shift()
      this.#queuedBytes -= bytes.length
      if (this.#cutLeft !== undefined && bytes.length >= this.#cutLeft) {
        if (this.#cutLeft > 0) this.#deliver(bytes.subarray(0, this.#cutLeft))
        this.#done = true
        this.#io.cutReached()
        return
      }
      if (this.#cutLeft !== undefined) this.#cutLeft -= bytes.length
      this.#deliver(bytes)
    }
    this.#flow()
  }

  #deliver(bytes: Buffer): void {
    if (!this.#io.write(bytes)) this.#blocked = true
    this.#io.delivered(bytes.length)
  }

  #wake(ms: number): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#pump()
    }, Math.ceil(ms))
    this.#flow()
  }

  #flow(): void {
    const paused = this.#blocked || this.pendingBytes > highWaterBytes
    if (paused !== this.#paused) {
      this.#paused = paused
      this.#io.pause(paused)
    }
  }
}
