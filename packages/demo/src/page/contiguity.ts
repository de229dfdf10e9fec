/** How one delivered tick relates to the one before it. */
export type TickVerdict = 'first' | 'next' | 'after-gap' | 'duplicate' | 'skip'

/** A place where the ticks were not in order, with nothing (no `gap`) to explain it. */
export interface TickBreak {
  after: number
  got: number
  verdict: 'duplicate' | 'skip'
}

/** The page's own check that the app saw every tick once, in order. */
export interface Contiguity {
  /** Feeds the `n` of the next delivered tick. */
  accept(n: number): TickVerdict
  /** The client emitted `gap`: the next tick may jump, since the app was told. */
  gap(): void
  /** No unexplained break so far. */
  readonly ok: boolean
  /** Ticks skipped right after a `gap`: lost, and the app was told. */
  readonly lost: number
  readonly breaks: readonly TickBreak[]
}

/**
 * Creates the check. The ticker numbers its events 1, 2, 3, … across server restarts, so
 * any jump is a lost event unless a `gap` came first, and any repeat is a duplicate the
 * client let through.
 *
 * @example
 * ```ts
 * const check = createContiguity()
 * check.accept(7) // 'first'
 * check.accept(8) // 'next'
 * check.accept(10) // 'skip': check.ok is now false
 * ```
 */
export function createContiguity(): Contiguity {
  let last: number | undefined
  let gapPending = false
  let lost = 0
  const breaks: TickBreak[] = []
  return {
    accept(n) {
      const before = last
      let verdict: TickVerdict
      if (before === undefined) verdict = 'first'
      else if (n === before + 1) verdict = 'next'
      else if (n > before && gapPending) {
        verdict = 'after-gap'
        lost += n - before - 1
      } else verdict = n <= before ? 'duplicate' : 'skip'
      if ((verdict === 'duplicate' || verdict === 'skip') && before !== undefined)
        breaks.push({ after: before, got: n, verdict })
      if (verdict !== 'duplicate') last = n
      gapPending = false
      return verdict
    },
    gap() {
      gapPending = true
    },
    get ok() {
      return breaks.length === 0
    },
    get lost() {
      return lost
    },
    breaks,
  }
}

/** What the "ticks in order" indicator shows: in order, lost with the app told, or broken. */
export interface Order {
  state: 'ok' | 'gap' | 'broken'
  text: string
}

/**
 * The indicator for a check: green `yes` only while no tick was skipped; amber once a
 * `gap` skipped some (the app was told, but they are lost); red for a break nothing explains.
 *
 * @example
 * ```ts
 * orderOf(check) // { state: 'gap', text: 'gap: 3 lost, app told' }
 * ```
 */
export function orderOf(check: Contiguity): Order {
  const broken = check.breaks[0]
  if (broken !== undefined)
    return { state: 'broken', text: `no: ${broken.verdict} ${broken.after} → ${broken.got}` }
  if (check.lost > 0) return { state: 'gap', text: `gap: ${check.lost} lost, app told` }
  return { state: 'ok', text: 'yes' }
}
