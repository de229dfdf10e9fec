export { longPoll } from './long-poll'
export type { LongPollOptions } from './options'
export { DEFAULT_HOLD_MS } from './options'
