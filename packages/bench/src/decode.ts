import type { DecodeTask } from './child'
import type { DecodeTiming, DecodeVariant } from './decode-variants'
import { forkChild } from './fork-child'
import { type BenchResult, createCollector } from './results'
import { type BenchSettings, scaled } from './settings'

const VARIANTS: readonly DecodeVariant[] = ['lifeline', 'eventsource-parser', 'lower bound']
const BASELINE: DecodeVariant = 'eventsource-parser'

/**
 * Benchmark 1: Lifeline's decoder against `eventsource-parser` used directly and a lower
 * bound, on small and large events, fed whole and in random 1–4096-byte chunks. Every
 * variant runs in a fresh process per repetition, variants in rotating order.
 */
export async function benchDecode(settings: BenchSettings): Promise<BenchResult> {
  const cases = [
    { name: 'small', count: scaled(100_000, settings, 1_000), dataBytes: 100 },
    { name: '64 KiB', count: scaled(2_000, settings, 20), dataBytes: 64 * 1024 },
  ]
  const runs = createCollector()
  for (let run = 0; run < settings.runs; run++) {
    for (let v = 0; v < VARIANTS.length; v++) {
      const variant = VARIANTS[(v + run) % VARIANTS.length]!
      const child = forkChild('decode', { variant, cases } satisfies DecodeTask)
      try {
        const { value } = await child.next<{ value: DecodeTiming[] }>('result', 300_000)
        for (const timing of value)
          runs.add(timing.group, variant, {
            eventsPerSecond: timing.count / timing.seconds,
            mibPerSecond: timing.bytes / 1_048_576 / timing.seconds,
          })
      } finally {
        await child.stop()
      }
    }
  }
  return {
    id: 'decode',
    title: 'Decode',
    metrics: [
      { key: 'eventsPerSecond', label: 'events/s', digits: 0, compare: true },
      { key: 'mibPerSecond', label: 'MiB/s', digits: 0, compare: false },
    ],
    rows: runs.rows(() => BASELINE),
    notes: [
      'Events shaped as the hub writes them (an id line and one data line). Whole: the entire stream in one feed call. Chunks: views of random length 1–4096 bytes from a PRNG with seed 1, the same for every variant.',
      'Lower bound: TextDecoder plus counting blank lines; no SSE decoder can do less.',
      'Each variant decodes in a fresh process per run: one untimed pass, then the median of three timed passes. Processes of their own, because differently configured parsers in one process share JIT feedback and slow each other down (in one shared process Lifeline measured 0.68× on the whole small stream; in separate processes it is level or ahead).',
    ],
  }
}
