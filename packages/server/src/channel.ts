import { isEventId } from './event-id'
import type { EventLog, LogEntry, ReadResult, Unsubscribe } from './log'
import { controlEvent, positionBlock, retryBlock } from './serialize'
import type { Subscriber } from './subscriber'

/**
 * Where a connection starts: after the client's resume point; without one, at the newest
 * event, or with `from=start` at the oldest one the log retains.
 */
export interface Start {
  resumePoint: string | undefined
  fromStart: boolean
}

/** One stream's live fan-out: its subscribers and the log subscription that feeds them. */
export interface Channel {
  readonly subscribers: ReadonlySet<Subscriber>
  /** Adds a subscriber and runs its start: replay or reset, position block, then live. */
  join(subscriber: Subscriber, start: Start): Promise<void>
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

  /**
   * Where each live subscriber stands, for telling whom a loss of history concerns: the id
   * it went live at (or was last reset to), and how many live entries had gone out by then;
   * any live entry since then is its position instead. O(1) per entry for every subscriber.
   */
  const positions = new Map<Subscriber, { id: string; at: number }>()
  let delivered = 0
  let lastDelivered = ''
  const positionOf = (subscriber: Subscriber) => {
    const place = positions.get(subscriber)
    if (place === undefined) return undefined
    return delivered > place.at ? lastDelivered : place.id
  }

  const onEntry = (entry: LogEntry) => {
    delivered++
    lastDelivered = entry.id
    const bytes = context.bytesOf(entry)
    for (const subscriber of subscribers) {
      if (subscriber.state === 'live') subscriber.send(bytes)
      else if (subscriber.state === 'starting') subscriber.hold(entry, bytes.byteLength)
    }
  }

  /** A loss of history as a starting subscriber met it: after `at` held live entries. */
  interface Loss {
    at: number
    position: string
    isLost: (id: string) => boolean
  }
  const lossesWhileStarting = new Map<Subscriber, Loss[]>()

  /** Sends `reset` and the position the log goes on from. */
  const tellLoss = (subscriber: Subscriber, position: string) => {
    subscriber.send(RESET)
    subscriber.send(positionBlock(position))
  }

  // The log lost history this channel was reading: a live subscriber whose position was in
  // it hears `reset` and the new position on its open connection (one already in the new
  // history hears nothing); a starting one is told where it goes live.
  const onHistoryLost = (position: string, isLost: (id: string) => boolean) => {
    for (const subscriber of subscribers) {
      if (subscriber.state === 'live') {
        const held = positionOf(subscriber)
        if (held !== undefined && !isLost(held)) continue
        context.onPlaced?.(subscriber, RESET_PLACEMENT)
        tellLoss(subscriber, position)
        positions.set(subscriber, { id: position, at: delivered })
      } else if (subscriber.state === 'starting') {
        const losses = lossesWhileStarting.get(subscriber) ?? []
        losses.push({ at: subscriber.pending.length, position, isLost })
        lossesWhileStarting.set(subscriber, losses)
      }
    }
  }

  /**
   * The seam between replay and live: entries held since joining that the replay (or the
   * position read) already covered are dropped by id, so none is lost or sent twice. The
   * log contract delivers an entry before a read can return it, so `last` is either among
   * the held entries or older than all of them. A loss met while starting goes out between
   * the entries of the old and the new history, to a subscriber whose position by then was
   * in what is gone.
   */
  const goLive = (subscriber: Subscriber, last: string) => {
    const held = subscriber.pending
    const seam = held.findIndex((entry) => entry.id === last)
    // A loss before the seam came before the read: what the read returned is the new history.
    const losses = (lossesWhileStarting.get(subscriber) ?? []).filter((loss) => loss.at > seam)
    lossesWhileStarting.delete(subscriber)
    let position = last
    for (let i = seam + 1; i <= held.length; i++) {
      for (const loss of losses) {
        if (loss.at !== i || !loss.isLost(position)) continue
        context.onPlaced?.(subscriber, RESET_PLACEMENT)
        tellLoss(subscriber, loss.position)
        position = loss.position
      }
      if (i < held.length) {
        subscriber.send(context.bytesOf(held[i]!))
        position = held[i]!.id
      }
    }
    positions.set(subscriber, { id: position, at: delivered })
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

  /** Sends `entries`, paced by the client, then the position block, and goes live at `last`. */
  const sendReplay = async (
    subscriber: Subscriber,
    entries: readonly LogEntry[],
    last: string,
  ): Promise<void> => {
    for (const entry of entries) {
      if (subscriber.state !== 'starting') return
      subscriber.send(context.bytesOf(entry))
      // Paced by the client: a long replay must not count against maxBufferedBytes.
      if (subscriber.bufferedBytes > replayWindow) await subscriber.flushed()
    }
    if (subscriber.state !== 'starting') return
    // [design] the position block comes right after the replay, never ahead of it.
    subscriber.send(positionBlock(last))
    goLive(subscriber, last)
  }

  /**
   * Replays the newest `maxReplay` of `entries` (read with one more than the cap), oldest
   * first: `reset` first when some are left out, or when `reset` says the client's own
   * history is gone.
   */
  const replayNewest = (
    subscriber: Subscriber,
    entries: readonly LogEntry[],
    head: string,
    reset: boolean,
  ) => {
    const over = entries.length > context.maxReplay
    const kept = over ? entries.slice(entries.length - context.maxReplay) : entries
    context.onPlaced?.(
      subscriber,
      reset || over
        ? RESET_PLACEMENT
        : kept.length > 0
          ? { kind: 'resumed', replayed: kept.length }
          : FRESH_PLACEMENT,
    )
    if (reset || over) subscriber.send(RESET)
    return sendReplay(subscriber, kept, kept.at(-1)?.id ?? head)
  }

  /** [design] `from=start`: what the log retains, oldest first, then live. */
  const startFromStart = async (subscriber: Subscriber, begin: () => void) => {
    const { entries, head } = await log.readNewest(stream, context.maxReplay + 1)
    if (subscriber.state !== 'starting') return
    begin()
    await replayNewest(subscriber, entries, head, false)
  }

  /** Replays after `resumePoint`, or after a loss the log's current history; false: reset fresh. */
  const replay = async (
    subscriber: Subscriber,
    resumePoint: string,
    begin: () => void,
  ): Promise<boolean> => {
    // Malformed or over 64 bytes: no log could have issued it.
    if (!isEventId(resumePoint)) return false
    // One more than the cap tells "too many" apart from "exactly the cap".
    const result: ReadResult = await log.readAfter(stream, resumePoint, context.maxReplay + 1)
    if (result.kind === 'unknown') return false
    if (result.kind === 'entries' && result.entries.length > context.maxReplay) return false
    if (subscriber.state !== 'starting') return true
    begin()
    if (result.kind === 'entries') {
      context.onPlaced?.(subscriber, { kind: 'resumed', replayed: result.entries.length })
      await sendReplay(subscriber, result.entries, result.entries.at(-1)?.id ?? resumePoint)
      return true
    }
    // [design] reset after lost history: the current history from its first event (capped
    // by the replay cap), then the position block, so the client loses only what the log lost.
    await replayNewest(subscriber, result.entries, result.head, true)
    return true
  }

  return {
    subscribers,
    async join(subscriber, { resumePoint, fromStart }) {
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
        return fromStart ? startFromStart(subscriber, begin) : startFresh(subscriber, begin, false)
      if (await replay(subscriber, resumePoint, begin)) return
      if (subscriber.state !== 'starting') return
      await startFresh(subscriber, begin, true)
    },
    leave(subscriber) {
      lossesWhileStarting.delete(subscriber)
      positions.delete(subscriber)
      if (!subscribers.delete(subscriber) || subscribers.size > 0) return
      unsubscribe?.()
      unsubscribe = undefined
      context.onEmpty()
    },
  }
}
