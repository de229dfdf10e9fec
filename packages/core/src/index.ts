export type { BackoffOptions } from './backoff'
export { DEFAULT_BACKOFF, MAX_DELAY_MS } from './backoff'
export type { Client, Connection } from './client'
export { createClient } from './client'
export type { Decoder, DecoderTarget } from './decoder'
export { createDecoder } from './decoder'
export type {
  Clock,
  Environment,
  LifecycleSignal,
  LifecycleSource,
  TimerHandle,
} from './environment'
export { browserLifecycle, systemClock } from './environment'
export type { LifelineErrorCode } from './errors'
export { LifelineError } from './errors'
export type { EventHandler, WildcardHandler } from './event-handlers'
export type { ConnectionEvents, ConnectionState, Diagnostics, StreamEvent } from './events'
export { exceedsBytes } from './message-size'
export type {
  Action,
  ConnectionReason,
  Decision,
  Phase,
  PolicyConfig,
  PolicyState,
  Signal,
} from './negotiator'
export { connectionStateOf, initialPolicyState, negotiate } from './negotiator'
export type { ClientOptions, HeadersOption } from './options'
export type { Strategy, StrategyOption, StrategyPreset } from './strategy'
export { STRATEGY_PRESETS } from './strategy'
export type {
  CloseReason,
  ConnectRequest,
  Transport,
  TransportConnection,
  TransportEvent,
  TransportSink,
} from './transport'
