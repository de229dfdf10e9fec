import { connect, type Socket } from 'node:net'
import { createNotifier, until as untilHolds } from '../wait'
import { assertFault, type CutMode, type Fault } from './faults'
import { RequestSniffer, type SniffedRequest, statusResponse } from './http-sniff'
import { Lane, type LaneShape, passShape } from './lane'

/** Where the proxy forwards to. */
export interface Upstream {
  host: string
  port: number
}

/**
 * One client connection through the fault proxy, live: what it asked for, where it goes,
 * how many bytes moved, and controls to fault it.
 */
export interface ProxyConnection {
  /** 1 for the first connection the proxy accepted, then counting up. */
  readonly id: number
  /** The upstream this connection was sent to (fixed when it was accepted). */
  readonly upstream: Upstream
  /** The latest HTTP request head seen on it, or `undefined` (none yet, or not HTTP). */
  readonly request: SniffedRequest | undefined
  /** How many request heads were seen (keep-alive connections carry several). */
  readonly requests: number
  /** The fault in force. */
  readonly fault: Fault
  /** Bytes read from the client. */
  readonly bytesFromClient: number
  /** Bytes written to the upstream. */
  readonly bytesUp: number
  /** Bytes read from the upstream. */
  readonly bytesFromUpstream: number
  /** Bytes written to the client. */
  readonly bytesDown: number
  /** Bytes read from the upstream but not (yet) written to the client: stalled, held, delayed. */
  readonly pendingDown: number
  /** Both sockets are still open. */
  readonly open: boolean
  /** Resolves once both sockets are closed. */
  readonly closed: Promise<void>
  /** Applies `fault` from now on; it replaces the previous one and sticks to this connection. */
  apply(fault: Fault): void
  /** Cuts both sides now (default RST). */
  cut(mode?: CutMode): void
  /**
   * Resolves once `predicate` holds, checked at every change of this connection; rejects
   * after `timeoutMs` (default 5 000) so a test never hangs.
   */
  until(predicate: (connection: ProxyConnection) => boolean, timeoutMs?: number): Promise<void>
}

/** What a connection needs from its proxy. */
export interface ConnectionHost {
  upstream: Upstream
  /** Whether any rule needs a request head before the connection may go upstream. */
  waitForRequest: boolean
  /** The fault of the newest rule matching `request` (undefined: not HTTP), if any. */
  decide(request: SniffedRequest | undefined): Fault | undefined
  onRequest(connection: ProxyConnection): void
  onClose(connection: ProxyConnection): void
}

/** The mechanics behind {@link ProxyConnection}: two {@link Lane}s, a sniffer, two sockets. */
export class Connection implements ProxyConnection {
  readonly id: number
  readonly upstream: Upstream
  readonly closed: Promise<void>
  request: SniffedRequest | undefined
  requests = 0
  fault: Fault = { kind: 'pass' }
  bytesFromClient = 0
  bytesUp = 0
  bytesFromUpstream = 0
  bytesDown = 0
  open = true

  readonly #client: Socket
  #server: Socket | undefined
  readonly #host: ConnectionHost
  readonly #sniffer = new RequestSniffer()
  readonly #up: Lane
  readonly #down: Lane
  readonly #changes = createNotifier()
  #sticky = false
  #finished = false
  #clientClosed = false
  #serverClosed = false
  #resolveClosed: () => void = () => {}

  constructor(id: number, client: Socket, host: ConnectionHost) {
    this.id = id
    this.upstream = { ...host.upstream }
    this.#client = client
    this.#host = host
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
    this.#up = new Lane({
      write: (bytes) => this.#server?.write(bytes) ?? true,
      end: () => this.#server?.end(),
      reset: () => resetSocket(this.#server),
      pause: (paused) => {
        if (paused) client.pause()
        else client.resume()
      },
      delivered: (n) => this.#count(() => (this.bytesUp += n)),
      cutReached: () => this.cut(this.#cutMode()),
    })
    this.#down = new Lane({
      write: (bytes) => client.write(bytes),
      end: () => client.end(),
      reset: () => resetSocket(client),
      pause: (paused) => {
        if (paused) this.#server?.pause()
        else this.#server?.resume()
      },
      delivered: (n) => this.#count(() => (this.bytesDown += n)),
      cutReached: () => this.cut(this.#cutMode()),
    })
    client.setNoDelay(true)
    client.on('data', (chunk: Buffer) => this.#fromClient(chunk))
    client.on('end', () => this.#up.push('end'))
    client.on('error', () => this.#up.push('reset'))
    client.on('drain', () => this.#down.drained())
    client.on('close', () => {
      this.#clientClosed = true
      this.#down.dispose()
      if (this.#server === undefined) this.#serverClosed = true
      this.#settle()
    })
    if (!host.waitForRequest) {
      this.#decide(undefined)
      if (!this.#finished) this.#connectUpstream()
    }
  }

  get pendingDown(): number {
    return this.#down.pendingBytes
  }

  apply(fault: Fault): void {
    assertFault(fault)
    this.#sticky = true
    this.#apply(fault)
  }

  cut(mode: CutMode = 'rst'): void {
    if (this.#finished) return
    this.#finished = true
    this.#up.dispose()
    this.#down.dispose()
    closeSocket(this.#client, mode)
    closeSocket(this.#server, mode)
    this.#changed()
  }

  async until(predicate: (connection: ProxyConnection) => boolean, timeoutMs?: number) {
    await untilHolds(() => predicate(this), `connection ${this.id} to meet the condition`, {
      wake: this.#changes.wake,
      timeoutMs,
    })
  }

  /** Destroys both sockets at once; used when the proxy closes. */
  destroy(): void {
    this.#finished = true
    this.#up.dispose()
    this.#down.dispose()
    this.#client.destroy()
    this.#server?.destroy()
    if (this.#server === undefined) this.#serverClosed = true
    this.#settle()
  }

  #apply(fault: Fault): void {
    if (this.#finished) return
    this.fault = fault
    let up: LaneShape = passShape
    let down: LaneShape = passShape
    switch (fault.kind) {
      case 'pass':
        break
      case 'cut':
        if (!fault.afterBytes) {
          this.cut(fault.mode)
          return
        }
        down = { ...passShape, cutAfter: fault.afterBytes }
        break
      case 'stall':
        down = { ...passShape, frozen: true }
        if (fault.direction !== 'downstream') up = down
        break
      case 'latency':
        up = down = { ...passShape, delayMs: fault.ms }
        break
      case 'throttle':
        up = down = { ...passShape, bytesPerSecond: fault.bytesPerSecond }
        break
      case 'buffer':
        down = {
          ...passShape,
          hold: { untilBytes: fault.untilBytes, holdHeaders: fault.holdHeaders ?? false },
        }
        break
      case 'status':
        this.#answer(fault)
        return
    }
    this.#up.shape(up)
    this.#down.shape(down)
    this.#changed()
  }

  #answer(fault: Extract<Fault, { kind: 'status' }>): void {
    this.#finished = true
    this.#up.dispose()
    this.#down.dispose()
    resetSocket(this.#server)
    finishSocket(this.#client, statusResponse(fault.status, fault.body, fault.headers))
    this.#changed()
  }

  #decide(request: SniffedRequest | undefined): void {
    if (this.#sticky) return
    const fault = this.#host.decide(request)
    if (fault === undefined) return
    this.#sticky = true
    this.#apply(fault)
  }

  #fromClient(chunk: Buffer): void {
    this.bytesFromClient += chunk.length
    for (const segment of this.#sniffer.push(chunk)) {
      if (this.#finished) return
      if (segment.request !== undefined) {
        this.request = segment.request
        this.requests++
        this.#down.expectHead()
        this.#decide(segment.request)
        this.#host.onRequest(this)
        this.#changed()
      } else if (this.#server === undefined) {
        this.#decide(undefined)
      }
      if (this.#finished) return
      if (this.#server === undefined) this.#connectUpstream()
      this.#up.push(segment.bytes)
    }
    this.#changed()
  }

  #connectUpstream(): void {
    const server = connect({ ...this.upstream, allowHalfOpen: true })
    this.#server = server
    server.setNoDelay(true)
    server.on('data', (chunk: Buffer) => {
      this.bytesFromUpstream += chunk.length
      this.#down.push(chunk)
      this.#changed()
    })
    server.on('end', () => this.#down.push('end'))
    server.on('error', () => this.#down.push('reset'))
    server.on('drain', () => this.#up.drained())
    server.on('close', () => {
      this.#serverClosed = true
      this.#up.dispose()
      this.#settle()
    })
  }

  #cutMode(): CutMode {
    return this.fault.kind === 'cut' ? this.fault.mode : 'rst'
  }

  #settle(): void {
    if (!this.open || !this.#clientClosed || !this.#serverClosed) return
    this.open = false
    this.#finished = true
    this.#changed()
    this.#host.onClose(this)
    this.#resolveClosed()
  }

  #count(update: () => void): void {
    update()
    this.#changed()
  }

  #changed(): void {
    this.#changes.notify()
  }
}

/**
 * Resets `socket` (RST). Whatever it still buffers is dropped, as a reset drops it. On Linux
 * a reset that lands on bytes the peer has not read yet reaches that reader as a plain EOF
 * after the bytes, so only a reader that was idle sees `ECONNRESET` for sure.
 */
export function resetSocket(socket: Socket | undefined): void {
  if (socket !== undefined && !socket.destroyed) socket.resetAndDestroy()
}

/** Ends `socket` with a FIN after `last` (if any), then closes it as a real proxy would. */
export function finishSocket(socket: Socket | undefined, last?: Buffer): void {
  if (socket === undefined || socket.destroyed) return
  // Unread bytes at close time make the kernel send an RST instead of the FIN.
  socket.resume()
  socket.once('finish', () => socket.destroy())
  if (last === undefined) socket.end()
  else socket.end(last)
}

function closeSocket(socket: Socket | undefined, mode: CutMode): void {
  if (mode === 'rst') resetSocket(socket)
  else finishSocket(socket)
}
