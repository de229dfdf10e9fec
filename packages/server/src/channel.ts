import { isEventId } from './event-id'
import type { EventLog, LogEntry, Unsubscribe } from './log'
import { controlEvent, positionBlock, retryBlock } from './serialize'
import type { Subscriber } from './subscriber'

/** One stream's live fan-out: its subscribers and the log subscription that feeds them. */
export interface Channel {
  readonly subscribers: ReadonlySet<Subscriber>
  /** Adds a subscriber and runs its start: replay or reset, position block, then live. */
  join(subscriber: Subscriber, resumePoint: string | undefined): Promise<void>
  /** Removes a subscriber; the last one leaving ends the log subscription. */
  leave(subscriber: Subscriber): void
}

/**
 * Where the channel placed a subscriber: `fresh` at the head, `resumed` after its resume
 * point with `replayed` events, or `reset` (its point could not be served, or the log lost
 * the history it stood in).
 */
export type Placement =
  | { kind: 'fresh' }
  | { kind: 'resumed'; replayed: number }
  | { kind: 'reset' }

/** What a channel needs from its hub. */
export interface ChannelContext {
  log: EventLog
  retry: number
  maxReplay: number
  maxBufferedBytes: number
  /** The entry's block, serialised once for every subscriber. */
  bytesOf(entry: LogEntry): Uint8Array
  /** The channel has no subscriber left and has dropped its log subscription. */
  onEmpty(): void
  /** Told before the bytes of each placement are queued (metrics, and polls that must answer). */
  onPlaced?(subscriber: Subscriber, placement: Placement): void
}

const RESET = controlEvent('reset', '')
const FRESH_PLACEMENT: Placement = { kind: 'fresh' }
const RESET_PLACEMENT: Placement = { kind: 'reset' }
/** Replay bytes queued before the replay waits for the client to read. */
const REPLAY_WINDOW = 256 * 1024

/**
 * Opens the fan-out of `stream`. Live entries reach every subscriber as the same bytes; a
 * starting subscriber holds them until its replay is out, then gets only the ones after it.
 */
export function openChannel(stream: string, context: ChannelContext): Channel {
  const { log } = context
  const subscribers = new Set<Subscriber>()
  let unsubscribe: Unsubscribe | undefined
  const replayWindow = Math.min(REPLAY_WINDOW, context.maxBufferedBytes / 2)

  const onEntry = (entry: LogEntry) => {
    const bytes = context.bytesOf(entry)
    for (const subscriber of subscribers) {
      if (subscriber.state === 'live') subscriber.send(bytes)
      else if (subscriber.state === 'starting') subscriber.hold(entry, bytes.byteLength)
    }
  }

  /**
   * Losses of history met while a subscriber was starting: `at` is how many live entries it
   * held then, so the notice goes out between the entries of the old and the new history.
   */
  const lossesWhileStarting = new Map<Subscriber, { at: number; notice: Uint8Array[] }[]>()

  // The log lost history this channel was reading: live subscribers hear `reset` and the new
  // position on their open connection; a starting one hears it where it goes live.
  const onHistoryLost = (position: string) => {
    const notice = [RESET, positionBlock(position)]
    for (const subscriber of subscribers) {
      if (subscriber.state === 'live') {
        context.onPlaced?.(subscriber, RESET_PLACEMENT)
        for (const chunk of notice) subscriber.send(chunk)
      } else if (subscriber.state === 'starting') {
        const losses = lossesWhileStarting.get(subscriber) ?? []
        losses.push({ at: subscriber.pending.length, notice })
        lossesWhileStarting.set(subscriber, losses)
      }
    }
  }

  /**
   * The seam between replay and live: entries held since joining that the replay (or the
   * position read) already covered are dropped by id, so none is lost or sent twice. The
   * log contract delivers an entry before a read can return it, so `last` is either among
   * the held entries or older than all of them.
   */
  const goLive = (subscriber: Subscriber, last: string) => {
    const held = subscriber.pending
    const seam = held.findIndex((entry) => entry.id === last)
    // A loss before the seam came before the read: what the read returned is the new history.
    const losses = (lossesWhileStarting.get(subscriber) ?? []).filter((loss) => loss.at > seam)
    lossesWhileStarting.delete(subscriber)
    for (let i = seam + 1; i <= held.length; i++) {
      for (const loss of losses) {
        if (loss.at !== i) continue
        context.onPlaced?.(subscriber, RESET_PLACEMENT)
        for (const chunk of loss.notice) subscriber.send(chunk)
      }
      if (i < held.length) subscriber.send(context.bytesOf(held[i]!))
    }
    subscriber.goLive()
  }

  const startFresh = async (subscriber: Subscriber, begin: () => void, reset: boolean) => {
    const head = await log.newest(stream)
    if (subscriber.state !== 'starting') return
    begin()
    context.onPlaced?.(subscriber, reset ? RESET_PLACEMENT : FRESH_PLACEMENT)
    // History is gone: say so, then carry on as a fresh connection. That one `reset` also
    // covers any loss the log reported while this start was under way.
    if (reset) {
      lossesWhileStarting.delete(subscriber)
      subscriber.send(RESET)
    }
    subscriber.send(positionBlock(head))
    goLive(subscriber, head)
  }

  const replay = async (
    subscriber: Subscriber,
    resumePoint: string,
    begin: () => void,
  ): Promise<boolean> => {
    // Malformed or over 64 bytes: no log could have issued it.
    if (!isEventId(resumePoint)) return false
    // One more than the cap tells "too many" apart from "exactly the cap".
    const result = await log.readAfter(stream, resumePoint, context.maxReplay + 1)
    if (result.kind === 'unknown' || result.entries.length > context.maxReplay) return false
    if (subscriber.state !== 'starting') return true
    begin()
    context.onPlaced?.(subscriber, { kind: 'resumed', replayed: result.entries.length })
    for (const entry of result.entries) {
      if (subscriber.state !== 'starting') return true
      subscriber.send(context.bytesOf(entry))
      // Paced by the client: a long replay must not count against maxBufferedBytes.
      if (subscriber.bufferedBytes > replayWindow) await subscriber.flushed()
    }
    if (subscriber.state !== 'starting') return true
    // [design] the position block comes right after the replay, never ahead of it.
    const last = result.entries.at(-1)?.id ?? resumePoint
    subscriber.send(positionBlock(last))
    goLive(subscriber, last)
    return true
  }

  return {
    subscribers,
    async join(subscriber, resumePoint) {
      if (unsubscribe === undefined) unsubscribe = log.subscribe(stream, onEntry, onHistoryLost)
      subscribers.add(subscriber)
      // The first byte waits for the first log read: when the log fails, nothing was sent
      // and the pipe can still refuse the connection, so the client fails over or backs off.
      let begun = false
      const begin = () => {
        if (begun) return
        begun = true
        subscriber.send(retryBlock(context.retry))
      }
      // [spec] an empty Last-Event-ID is no resume point: the client starts fresh.
      if (resumePoint === undefined || resumePoint === '')
        return startFresh(subscriber, begin, false)
      if (await replay(subscriber, resumePoint, begin)) return
      if (subscriber.state !== 'starting') return
      await startFresh(subscriber, begin, true)
    },
    leave(subscriber) {
      lossesWhileStarting.delete(subscriber)
      if (!subscribers.delete(subscriber) || subscribers.size > 0) return
      unsubscribe?.()
      unsubscribe = undefined
      context.onEmpty()
    },
  }
}
