import { LifelineError } from '../errors'
import type { ConnectionReason, StreamEvent } from '../events'
import type { Signal } from '../policy/policy'
import type {
  Transport,
  TransportConnection,
  TransportEvent,
  TransportSink,
} from '../transport/transport'
import { parseCloseData, RESET_EVENT } from './control-events'
import type { ResolvedOptions } from './options'
import type { Acceptance, ResumePoint } from './resume'
import { createWatchdog } from './watchdog'

/**
 * Where an attempt is: `starting` (headers, then the transport opening), `accepted` (the
 * server accepted, no byte yet), `replaying` (bytes flow on a resumed stream that has not
 * sent its position block yet), `live`, and `ended` (whatever it reports is ignored).
 */
export type AttemptPhase = 'starting' | 'accepted' | 'replaying' | 'live' | 'ended'

/** What an attempt needs from the client that runs it. */
export interface AttemptHost {
  readonly options: ResolvedOptions
  readonly resume: ResumePoint
  /** Settles once the resume point is known (a persisted one may be read asynchronously). */
  ready(): Promise<unknown> | undefined
  dispatch(signal: Signal): void
  /** Hands an event to the app. */
  emit(event: StreamEvent): void
  /** An id was too long to keep: exact resume is no longer possible. */
  lost(previous: string | undefined): void
  /** A resumed stream sent its position block after `replayed` events. */
  resumed(replayed: number): void
  /** An event was dropped: its id was delivered before. */
  duplicate(): void
  /** An id-only block or a close event's id moved the resume point. */
  moved(): void
  report(error: LifelineError): void
  /** The watchdog found the machine woke from sleep. */
  woke(): void
}

/**
 * One connection attempt on one transport. An upgrade probe is an attempt in the role
 * `probe` until it is promoted; it reports to the policy only whether it delivered.
 */
export interface Attempt {
  readonly index: number
  /** Resolves the headers, then opens the transport. */
  launch(): void
  /** The client let go of it: abort, and ignore whatever it still reports. */
  abandon(): void
  /** The resume point was dropped: this stream replays nothing any more. */
  forgetResume(): void
  /** The probe took over: from now on it is the current attempt. */
  promote(): void
}

/**
 * Creates an attempt: it resolves the headers, opens the transport, watches it, and turns
 * what the transport reports into events for the app and signals for the policy. Each
 * report is one step: deliver, or raise a signal the client queues.
 */
export function createAttempt(host: AttemptHost, index: number, probe: boolean): Attempt {
  const { options, resume } = host
  const transport = options.transports[index] as Transport
  const { name } = transport
  const controller = new AbortController()
  let phase: AttemptPhase = 'starting'
  // The attempt carried a resume point (and has not lost it to a reset since).
  let resumed = false
  let delivered = false
  let replayed = 0
  let connection: TransportConnection | undefined
  const watchdog = createWatchdog(
    options.environment.clock,
    options,
    (verdict) => end({ kind: verdict }),
    host.woke,
  )

  const end = (reason: ConnectionReason) => {
    const was = phase
    if (was === 'ended') return
    phase = 'ended'
    watchdog.stop()
    controller.abort()
    if (probe) host.dispatch({ kind: 'probe-failed', reason })
    else
      host.dispatch({
        kind: 'ended',
        reason,
        resumed,
        succeeded: was === 'replaying' || was === 'live',
        delivered,
        random: options.environment.random(),
      })
  }

  /** Moves the resume point; tells the app if the id was too long to keep. */
  const accept = (id: string): Acceptance => {
    const previous = resume.lastEventId
    const acceptance = resume.accept(id)
    if (acceptance === 'lost') host.lost(previous)
    return acceptance
  }

  const control = (message: TransportEvent) => {
    // A control event on an upgrade probe fails the probe: the old pipe stays.
    if (probe)
      return end({
        kind: 'protocol',
        message: `control event '${message.type}' on an upgrade probe`,
      })
    if (message.type === RESET_EVENT) {
      delivered = true
      return host.dispatch({ kind: 'reset-event' })
    }
    // [design] a close event's id moves the resume point.
    if (message.id !== undefined) {
      accept(message.id)
      host.moved()
    }
    const random = options.environment.random()
    host.dispatch({ kind: 'close-event', ...parseCloseData(message.data), delivered, random })
  }

  const sink: TransportSink = {
    opened() {
      if (phase !== 'starting') return
      phase = 'accepted'
      watchdog.accepted()
      if (!probe) host.dispatch({ kind: 'accepted' })
    },
    activity() {
      // The hot path: once bytes flow, only the watchdog's timestamp moves.
      if (phase === 'live' || phase === 'replaying') watchdog.activity()
      else if (phase === 'accepted') {
        watchdog.activity()
        phase = resumed ? 'replaying' : 'live'
        if (!probe) host.dispatch({ kind: 'first-byte' })
      }
    },
    event(message) {
      if (phase === 'ended') return
      const { type, id } = message
      if (type === RESET_EVENT || type === options.strategy.closeEvent) {
        control(message)
        return
      }
      if (probe) host.dispatch({ kind: 'probe-delivered' })
      const previous = resume.lastEventId
      // The id moves the resume point before the event goes out: a handler sees it.
      const acceptance: Acceptance = id === undefined ? 'new' : resume.accept(id)
      if (acceptance === 'duplicate') {
        host.duplicate()
        return
      }
      delivered = true
      if (phase === 'replaying') replayed++
      const event: StreamEvent = {
        type,
        data: message.data,
        id,
        lastEventId: resume.lastEventId ?? '',
        transport: name,
      }
      host.emit(event)
      if (acceptance === 'lost') host.lost(previous)
    },
    id(id) {
      if (phase === 'ended') return
      if (probe) host.dispatch({ kind: 'probe-delivered' })
      accept(id)
      host.moved()
      delivered = true
      if (phase !== 'replaying') return
      phase = 'live'
      host.resumed(replayed)
    },
    retry(ms) {
      if (phase !== 'ended' && !probe) host.dispatch({ kind: 'retry-hint', ms })
    },
    closed: end,
  }

  const open = (init: HeadersInit | undefined) => {
    if (phase === 'ended') return
    const { lastEventId } = resume
    resumed = lastEventId !== undefined
    try {
      connection = transport.open(
        {
          url: new URL(options.url),
          headers: new Headers(init),
          lastEventId,
          from: lastEventId === undefined ? options.from : undefined,
          maxMessageBytes: options.maxMessageBytes,
          timeouts: { connect: options.connectTimeout, firstByte: options.firstByteTimeout },
          signal: controller.signal,
        },
        sink,
      )
    } catch (error) {
      end({ kind: 'network', error })
    }
  }

  return {
    index,
    launch() {
      const failed = (cause: unknown) => {
        if (phase === 'ended') return
        host.report(new LifelineError('headers', 'the headers option failed', { cause }))
        end({ kind: 'network', error: cause })
      }
      const resolve = () => {
        if (phase === 'ended') return
        try {
          const { headers } = options
          const value = typeof headers === 'function' ? headers() : headers
          if (value instanceof Promise) value.then(open, failed)
          else open(value)
        } catch (cause) {
          failed(cause)
        }
      }
      // The first attempt waits for a resume point read from storage.
      const ready = host.ready()
      if (ready === undefined) resolve()
      else ready.then(resolve)
    },
    abandon() {
      if (phase === 'ended') return
      phase = 'ended'
      watchdog.stop()
      controller.abort()
      connection?.close()
    },
    forgetResume() {
      resumed = false
      if (phase === 'replaying') phase = 'live'
    },
    promote() {
      probe = false
    },
  }
}
