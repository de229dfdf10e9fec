import { createDecoder } from '@lifeline/core'
import { createParser } from 'eventsource-parser'
import { randomChunks } from './chunks'
import { summarize } from './stats'

/** The decoders compared. */
export type DecodeVariant = 'lifeline' | 'eventsource-parser' | 'lower bound'
const MAX_MESSAGE_BYTES = 1_048_576
/** Timed passes per input in one process; the process reports their median. */
const PASSES = 3

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
function decode(variant: DecodeVariant, chunks: readonly Uint8Array[]): number {
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

/** One input of the decode benchmark. */
export interface DecodeCase {
  name: string
  count: number
  dataBytes: number
}

/** What a decode process reports per input and feeding: the events seen and the seconds taken. */
export interface DecodeTiming {
  group: string
  count: number
  bytes: number
  seconds: number
}

/**
 * Times one decoder on every input, whole and in seeded random 1–4096-byte chunks: one
 * untimed pass of each, then the median of three timed passes. Run in a process of its own: parsers configured differently
 * in one process share their JIT feedback and slow each other down.
 *
 * @example
 * ```ts
 * timeDecoder('lifeline', [{ name: 'small', count: 100_000, dataBytes: 100 }])
 * ```
 */
export function timeDecoder(variant: DecodeVariant, cases: readonly DecodeCase[]): DecodeTiming[] {
  const timings: DecodeTiming[] = []
  for (const input of cases) {
    const bytes = eventStream(input.count, input.dataBytes)
    const feedings = [
      { group: `${input.count} × ${input.name}, whole`, chunks: [bytes] },
      {
        group: `${input.count} × ${input.name}, 1–4096 B chunks`,
        chunks: randomChunks(bytes, { seed: 1, min: 1, max: 4096 }),
      },
    ]
    for (const { chunks } of feedings) decode(variant, chunks)
    for (const { group, chunks } of feedings) {
      const passes: number[] = []
      for (let pass = 0; pass < PASSES; pass++) {
        const start = performance.now()
        const events = decode(variant, chunks)
        passes.push((performance.now() - start) / 1000)
        if (events !== input.count) throw new Error(`${variant} saw ${events} of ${input.count}`)
      }
      timings.push({
        group,
        count: input.count,
        bytes: bytes.byteLength,
        seconds: summarize(passes).median,
      })
    }
  }
  return timings
}
