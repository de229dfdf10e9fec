/** The control event type that says history is gone; always a control event. */
export const RESET_EVENT = 'reset'

/** What a close control event asks of the client. */
export interface CloseInstructions {
  /** `false`: stop for good. */
  reconnect: boolean
  /** Wait between half of it and all of it before reconnecting; absent: reconnect at once. */
  retry: number | undefined
}

/**
 * Reads a close event's data: plain text (a close without instructions) or JSON
 * `{ "reconnect"?: boolean, "retry"?: ms }`.
 *
 * @example
 * ```ts
 * parseCloseData('Connection closed') // { reconnect: true, retry: undefined }
 * parseCloseData('{"retry":2000}')    // { reconnect: true, retry: 2000 }
 * ```
 */
export function parseCloseData(data: string): CloseInstructions {
  const instructions: CloseInstructions = { reconnect: true, retry: undefined }
  if (!data.startsWith('{')) return instructions
  try {
    const parsed = JSON.parse(data) as { reconnect?: unknown; retry?: unknown }
    instructions.reconnect = parsed.reconnect !== false
    const { retry } = parsed
    if (typeof retry === 'number' && retry >= 0 && retry < Number.POSITIVE_INFINITY)
      instructions.retry = retry
  } catch {
    // Plain text that happens to start with '{': a close without instructions.
  }
  return instructions
}
