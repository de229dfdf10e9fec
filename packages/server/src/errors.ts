import { LifelineError } from '@lifeline/core'

/** `publish` after `close()`. */
export function hubClosedError(): LifelineError {
  return new LifelineError('closed', 'the hub is closed')
}

/** `publish` of an event whose block is larger than `maxMessageBytes`. */
export function messageTooLargeError(limit: number): LifelineError {
  return new LifelineError(
    'message-too-large',
    `event block over maxMessageBytes (${limit} bytes of UTF-8)`,
  )
}

/** `publish` with an argument the protocol cannot carry. */
export function invalidEventError(message: string): LifelineError {
  return new LifelineError('invalid-option', message)
}
