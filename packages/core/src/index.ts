export type { Client } from './client/client'
export { createClient } from './client/client'
export type { Connection } from './client/connection'
export type {
  Clock,
  Environment,
  LifecycleSignal,
  LifecycleSource,
  TimerHandle,
} from './client/environment'
export type { EventHandler, WildcardHandler } from './client/event-handlers'
export type { ClientOptions, HeadersOption } from './client/options'
export type { PersistOptions, ResumeStorage } from './client/persistence'
export type {
  ShareGroup,
  ShareMember,
  ShareMessage,
  ShareOption,
  ShareRole,
  ShareSnapshot,
} from './client/share'
export type { LifelineErrorCode } from './errors'
export { LifelineError } from './errors'
export type {
  ConnectionEvents,
  ConnectionReason,
  ConnectionState,
  Diagnostics,
  StreamEvent,
} from './events'
export type { BackoffOptions } from './policy/backoff'
export { MAX_DELAY_MS } from './policy/backoff'
export type { Strategy, StrategyOption, StrategyPreset } from './policy/strategy'
export { STRATEGY_PRESETS } from './policy/strategy'
export type { Decoder, DecoderTarget } from './transport/decoder'
export { createDecoder } from './transport/decoder'
export type { ConnectFunction } from './transport/define-transport'
export { defineTransport } from './transport/define-transport'
export { fetchEventStream } from './transport/fetch-stream'
export { lastEventIdHeader } from './transport/last-event-id'
export { exceedsBytes } from './transport/message-size'
export type { FetchOptions } from './transport/option-checks'
export {
  countOption,
  ensureOption,
  fetchOptions,
  invalidOption,
  methodOption,
  urlOption,
} from './transport/option-checks'
export { sseRefusal } from './transport/sse-response'
export { streamUrl } from './transport/stream-url'
export type {
  CloseReason,
  ConnectRequest,
  Transport,
  TransportConnection,
  TransportEvent,
  TransportSink,
} from './transport/transport'
