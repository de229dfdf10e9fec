import type { Clock, TimerHandle } from './environment'

/** What the watchdog found: the attempt is closed with this reason. */
export type WatchdogVerdict = 'timeout' | 'buffered' | 'stall'

/** The limits one attempt lives under. */
export interface WatchdogTimeouts {
  connectTimeout: number
  firstByteTimeout: number
  heartbeatTimeout: number
}

/**
 * Guards one attempt: no acceptance within `connectTimeout` → `timeout`; accepted but no
 * byte within `firstByteTimeout` → `buffered`; then no byte for `heartbeatTimeout` → `stall`.
 */
export interface Watchdog {
  accepted(): void
  /** A byte arrived. Cheap on purpose: it only records the time. */
  activity(): void
  stop(): void
}

// A timer that fires this much later than asked means the machine slept (or the page was
// frozen): the socket may be a zombie that never saw the peer go away.
const WAKE_DRIFT_MS = 1_000

/**
 * Creates the watchdog of one attempt. One coarse timer: `activity()` only stores a
 * timestamp, and the timer compares it when it fires, re-arming for what is left.
 */
export function createWatchdog(
  clock: Clock,
  timeouts: WatchdogTimeouts,
  onVerdict: (verdict: WatchdogVerdict) => void,
  onWake: () => void = () => {},
): Watchdog {
  let stage: 'connect' | 'first-byte' | 'heartbeat' | 'stopped' = 'connect'
  let since = clock.now()
  let lastActivity = since
  let timer: TimerHandle | undefined
  let firesAt = 0

  const arm = (ms: number) => {
    if (timer !== undefined) clock.clearTimeout(timer)
    firesAt = clock.now() + ms
    timer = clock.setTimeout(check, ms)
  }

  const check = () => {
    timer = undefined
    if (stage === 'stopped') return
    const now = clock.now()
    if (now - firesAt > WAKE_DRIFT_MS && stage === 'heartbeat') {
      // Woken from sleep: do not trust the old socket, and do not condemn it on a stale
      // clock either; it must show a byte within a short verification window.
      onWake()
      lastActivity = now - timeouts.heartbeatTimeout + verifyWindow(timeouts)
      arm(verifyWindow(timeouts))
      return
    }
    const deadline =
      stage === 'connect'
        ? since + timeouts.connectTimeout
        : stage === 'first-byte'
          ? since + timeouts.firstByteTimeout
          : lastActivity + timeouts.heartbeatTimeout
    if (now < deadline) {
      arm(deadline - now)
      return
    }
    const verdict: WatchdogVerdict =
      stage === 'connect' ? 'timeout' : stage === 'first-byte' ? 'buffered' : 'stall'
    stage = 'stopped'
    onVerdict(verdict)
  }

  arm(timeouts.connectTimeout)

  return {
    accepted() {
      if (stage !== 'connect') return
      stage = 'first-byte'
      since = clock.now()
      arm(timeouts.firstByteTimeout)
    },
    activity() {
      lastActivity = clock.now()
      if (stage === 'first-byte') {
        stage = 'heartbeat'
        arm(timeouts.heartbeatTimeout)
      }
    },
    stop() {
      stage = 'stopped'
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
    },
  }
}

/**
 * How long a connection suspected after a wake has to show a byte. `heartbeatTimeout` is
 * meant to be over twice the server's heartbeat interval, so half of it still hears a
 * healthy stream's next heartbeat, and a zombie goes in half the usual time.
 */
function verifyWindow(timeouts: WatchdogTimeouts): number {
  return timeouts.heartbeatTimeout / 2
}
