import { createDecoder } from '@lifeline/core'
import { createParser } from 'eventsource-parser'
import { randomChunks } from './chunks'
import { type BenchResult, createCollector } from './results'
import { type BenchSettings, scaled } from './settings'

type Variant = 'lifeline' | 'eventsource-parser' | 'lower bound'
const VARIANTS: readonly Variant[] = ['lifeline', 'eventsource-parser', 'lower bound']
const BASELINE: Variant = 'eventsource-parser'
const MAX_MESSAGE_BYTES = 1_048_576

/** A stream of `count` events shaped as the hub writes them: an id line and one data line. */
function eventStream(count: number, dataBytes: number): Uint8Array {
  const filler = 'x'.repeat(dataBytes)
  const parts: string[] = []
  for (let i = 1; i <= count; i++) {
    const head = `{"seq":${i},"v":"`
    parts.push(`id: bench-${i}\ndata: ${head}${filler.slice(head.length + 2)}"}\n\n`)
  }
  return new TextEncoder().encode(parts.join(''))
}

/** Feeds every chunk to one variant; returns the events it saw. */
function decode(variant: Variant, chunks: readonly Uint8Array[]): number {
  let events = 0
  switch (variant) {
    case 'lifeline': {
      const decoder = createDecoder(
        {
          event: () => {
            events++
          },
          id: () => {},
          retry: () => {},
          protocolError: (message) => {
            throw new Error(message)
          },
        },
        { maxMessageBytes: MAX_MESSAGE_BYTES },
      )
      for (const chunk of chunks) decoder.feed(chunk)
      return events
    }
    case 'eventsource-parser': {
      // Used directly, a parser needs text: the same streaming TextDecoder the adapters use.
      const text = new TextDecoder()
      const parser = createParser({
        onEvent: () => {
          events++
        },
      })
      for (const chunk of chunks) parser.feed(text.decode(chunk, { stream: true }))
      return events
    }
    case 'lower bound': {
      // Decoding the bytes and finding the blank lines is work no SSE decoder can skip.
      const text = new TextDecoder()
      let carry = ''
      for (const chunk of chunks) {
        const part = carry + text.decode(chunk, { stream: true })
        for (let i = part.indexOf('\n\n'); i !== -1; i = part.indexOf('\n\n', i + 2)) events++
        carry = part.endsWith('\n') ? '\n' : ''
      }
      return events
    }
  }
}

/**
 * Benchmark 1: Lifeline's decoder against `eventsource-parser` used directly and a lower
 * bound, on small and large events, fed whole and in random 1–4096-byte chunks. CPU-only,
 * so it runs in the runner process; variants alternate within every repetition.
 */
export async function benchDecode(settings: BenchSettings): Promise<BenchResult> {
  const inputs = [
    { name: 'small', count: scaled(100_000, settings, 1_000), dataBytes: 100 },
    { name: '64 KiB', count: scaled(2_000, settings, 20), dataBytes: 64 * 1024 },
  ]
  const runs = createCollector()
  const cases: { group: string; count: number; bytes: number; chunks: Uint8Array[] }[] = []
  for (const input of inputs) {
    const bytes = eventStream(input.count, input.dataBytes)
    const random = randomChunks(bytes, { seed: 1, min: 1, max: 4096 })
    cases.push({
      group: `${input.count} × ${input.name}, whole`,
      count: input.count,
      bytes: bytes.byteLength,
      chunks: [bytes],
    })
    cases.push({
      group: `${input.count} × ${input.name}, 1–4096 B chunks`,
      count: input.count,
      bytes: bytes.byteLength,
      chunks: random,
    })
  }
  // One untimed pass of every variant on every case, so all are compiled before timing.
  for (const item of cases) for (const variant of VARIANTS) decode(variant, item.chunks)
  // Three times the runs: a run takes milliseconds, and a shared machine makes single runs noisy.
  for (let run = 0; run < settings.runs * 3; run++) {
    for (const item of cases) {
      // Rotate the order each run so no variant always follows the same one.
      for (let v = 0; v < VARIANTS.length; v++) {
        const variant = VARIANTS[(v + run) % VARIANTS.length]!
        const start = performance.now()
        const events = decode(variant, item.chunks)
        const seconds = (performance.now() - start) / 1000
        if (events !== item.count) throw new Error(`${variant} saw ${events} of ${item.count}`)
        runs.add(item.group, variant, {
          eventsPerSecond: events / seconds,
          mibPerSecond: item.bytes / 1_048_576 / seconds,
        })
      }
      await new Promise((resolve) => setImmediate(resolve))
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
      'Whole: the entire stream in one feed call. Chunks: views of random length 1–4096 bytes from a PRNG with seed 1, the same for every variant.',
      'Lower bound: TextDecoder plus counting blank lines; no SSE decoder can do less.',
      `In the runner process (decoding needs no socket), ${settings.runs * 3} runs per variant after one untimed warm-up pass, variants in rotating order.`,
    ],
  }
}
