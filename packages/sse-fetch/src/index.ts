export type { SseFetchBody, SseFetchOptions } from './options'
export { sseFetch } from './sse-fetch'
