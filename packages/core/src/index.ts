export type { Decoder, DecoderTarget } from './decoder'
export { createDecoder, MAX_DELAY_MS } from './decoder'
export type { LifelineErrorCode } from './errors'
export { LifelineError } from './errors'
export type {
  CloseReason,
  ConnectRequest,
  Transport,
  TransportConnection,
  TransportEvent,
  TransportSink,
} from './transport'
