export type {
  SseXhrOptions,
  XMLHttpRequestConstructor,
  XMLHttpRequestLike,
} from './options'
export { DEFAULT_MAX_RESPONSE_BYTES } from './options'
export { sseXhr } from './sse-xhr'
