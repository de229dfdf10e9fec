export type { UpgradeSource } from './attach'
export type { CorsOptions } from './cors'
export { isEventId, MAX_ID_BYTES } from './event-id'
export type { AttachOptions, CloseOptions, Hub, SseOptions } from './hub'
export { createHub } from './hub'
export type {
  EventLog,
  HistoryLost,
  LogEntry,
  NewEvent,
  NewestEntries,
  PublishOptions,
  ReadResult,
  Unsubscribe,
} from './log'
export type { MemoryLogOptions } from './memory-log'
export { memoryLog } from './memory-log'
export type { HubMetric, HubStats, PipeCounts, StreamStats } from './metrics'
export type { CutInfo, HubOptions, Pipe, StreamSelector } from './options'
export type { OriginOption } from './origin'
