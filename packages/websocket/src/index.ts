export type { WebSocketConstructor, WebSocketInit, WebSocketLike } from './socket'
export type { WebSocketOptions } from './websocket'
export { websocket } from './websocket'
