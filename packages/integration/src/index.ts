export type { Chaos, ChaosOptions } from './chaos'
export { startChaos } from './chaos'
export type { FailoverResult } from './failover'
export { blockedSse, bufferingProxy, EVENTS_PER_SECOND, SSE_ROUTE, silentStall } from './failover'
export type { HubProcess } from './hub-process'
export { startHubProcess } from './hub-process'
export type { LingeringTransport } from './lingering-transport'
export { lingering } from './lingering-transport'
export type { SteadyOptions, SteadyPublisher } from './publisher'
export { publishSteadily } from './publisher'
export type { Recorder, Timed } from './recorder'
export { record } from './recorder'
export type { Rig, RigOptions } from './rig'
export { FAST, STREAM, startRig } from './rig'
export type { SequenceCheck, SequenceReport } from './sequence-check'
export { createSequenceCheck } from './sequence-check'
export type {
  TinyRequest,
  TinySseServer,
  TinySseServerOptions,
  UnknownResumePoint,
} from './tiny-sse-server'
export { startTinySseServer } from './tiny-sse-server'
