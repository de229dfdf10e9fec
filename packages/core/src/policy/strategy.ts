/** The names of the strategy presets. */
export type StrategyPreset = 'resilient' | 'close-event' | 'reset' | 'fallback' | 'none'

/**
 * Which remedies the client applies, and when. Every preset still reconnects with backoff
 * and resumes; `false` turns a remedy off.
 */
export interface Strategy {
  /** Remedy 1: the control event's type; on it the client reconnects at once. */
  closeEvent: string | false
  /** Remedy 2: failed resumes in a row before the resume point is dropped (`gap`). */
  resetAfter: number | false
  /** Remedy 3: failures in a row before switching to the next transport. */
  fallbackAfter: number | false
  /** Remedy 3: ms of stable service on a fallback before probing the preferred transport. */
  upgradeAfter: number | false
}

/** What the `strategy` option takes: a preset's name, or fields that override `'resilient'`. */
export type StrategyOption = StrategyPreset | Partial<Strategy>

/** The presets, as DESIGN.md settles them. */
export const STRATEGY_PRESETS: Readonly<Record<StrategyPreset, Readonly<Strategy>>> = {
  resilient: { closeEvent: 'close', resetAfter: 2, fallbackAfter: 3, upgradeAfter: 60_000 },
  'close-event': {
    closeEvent: 'close',
    resetAfter: false,
    fallbackAfter: false,
    upgradeAfter: false,
  },
  reset: { closeEvent: false, resetAfter: 2, fallbackAfter: false, upgradeAfter: false },
  fallback: { closeEvent: false, resetAfter: false, fallbackAfter: 3, upgradeAfter: 60_000 },
  none: { closeEvent: false, resetAfter: false, fallbackAfter: false, upgradeAfter: false },
}
