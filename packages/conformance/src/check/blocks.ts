/**
 * One thing read off the wire: a comment line, or a block ended by a blank line with the
 * fields it held. `data` is undefined when the block had no `data:` line (then the spec
 * dispatches no event: a position block, a bare `retry:`).
 */
export type WireItem =
  | { kind: 'comment'; text: string }
  | { kind: 'block'; event?: string; data?: string; id?: string; retry?: string }

/** The block variant of {@link WireItem}. */
export type WireBlock = Extract<WireItem, { kind: 'block' }>

/** Reads `text/event-stream` text as the WHATWG standard splits it, keeping what it saw. */
export interface BlockReader {
  /** Feeds the next piece of text; returns the items it completed. */
  feed(text: string): WireItem[]
  /** Whether a line or a block is unfinished: a frame must never end like this. */
  readonly partial: boolean
}

/** A line longer than this is a broken stream, not one to buffer without end. */
const MAX_LINE = 1_048_576

const LINE_END = /\r\n|\r|\n/g

/**
 * Creates a reader for one stream (an SSE body, or every frame of one WebSocket).
 * Lines end at CRLF, LF or CR, also split across pieces; one leading BOM is dropped.
 */
export function createBlockReader(): BlockReader {
  let buffer = ''
  let started = false
  // [spec] a CR at the end of a piece and an LF at the start of the next are one line end.
  let afterCr = false
  let block: WireBlock | undefined
  let data: string[] = []

  const line = (text: string, out: WireItem[]) => {
    if (text === '') {
      if (block !== undefined) {
        if (data.length > 0) block.data = data.join('\n')
        out.push(block)
      }
      block = undefined
      data = []
      return
    }
    // [spec] a leading colon makes the line a comment; one space after a colon is dropped.
    const colon = text.indexOf(':')
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '')
    if (colon === 0) {
      out.push({ kind: 'comment', text: value })
      return
    }
    const field = colon === -1 ? text : text.slice(0, colon)
    if (field !== 'data' && field !== 'event' && field !== 'id' && field !== 'retry') return
    block ??= { kind: 'block' }
    if (field === 'data') data.push(value)
    else block[field] = value
  }

  return {
    feed(piece) {
      let text = piece
      if (!started && text.length > 0) {
        started = true
        if (text.startsWith('\uFEFF')) text = text.slice(1)
      }
      if (afterCr && text.length > 0) {
        afterCr = false
        if (text.startsWith('\n')) text = text.slice(1)
      }
      buffer += text
      const out: WireItem[] = []
      let start = 0
      LINE_END.lastIndex = 0
      for (let match = LINE_END.exec(buffer); match !== null; match = LINE_END.exec(buffer)) {
        line(buffer.slice(start, match.index), out)
        start = match.index + match[0].length
        afterCr = match[0] === '\r' && start === buffer.length
      }
      buffer = buffer.slice(start)
      if (buffer.length > MAX_LINE) throw new Error(`a line over ${MAX_LINE} characters`)
      return out
    },
    get partial() {
      return buffer !== '' || block !== undefined
    },
  }
}

/** Whether an item is a block that dispatches an event the app would see (not a control one). */
export const isAppEvent = (item: WireItem): item is WireBlock & { data: string } =>
  item.kind === 'block' && item.data !== undefined && !isControl(item)

/** Whether an item is a control event (`close`, `reset`) with its `data:` line. */
export const isControl = (
  item: WireItem,
): item is WireBlock & { data: string; event: 'close' | 'reset' } =>
  item.kind === 'block' &&
  item.data !== undefined &&
  (item.event === 'close' || item.event === 'reset')

/** Whether an item is an id-only block: `id:` with no `data:` (the position block). */
export const isPosition = (item: WireItem): item is WireBlock & { id: string } =>
  item.kind === 'block' && item.data === undefined && item.id !== undefined

/** Whether a block holds only a `retry:` field. */
export const isBareRetry = (block: WireBlock): boolean =>
  block.retry !== undefined &&
  block.data === undefined &&
  block.id === undefined &&
  block.event === undefined

/** Whether an item is a bare `retry:` block with its ASCII digits. */
export const isRetryHint = (item: WireItem): item is WireBlock & { retry: string } =>
  item.kind === 'block' && isBareRetry(item) && /^\d+$/.test(item.retry ?? '')

/** [protocol] ids are 1 to 64 characters of `[A-Za-z0-9._:-]`. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/
