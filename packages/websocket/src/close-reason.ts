import type { CloseReason } from '@lifeline/core'

/**
 * The {@link CloseReason} for a WebSocket close code (RFC 6455 §7.4.1) once the socket
 * was open. A socket that never opened is a network failure whatever its code.
 */
export function closeReason(code: number, reason: string): CloseReason {
  switch (code) {
    case 1000: // normal closure
    case 1001: // going away: the server shuts down or the page navigates
    case 1005: // [RFC 6455 §7.1.5] a close frame without a status code: still a clean close
    case 1012: // service restart: what @lifeline/server sends on hub.close({ reconnect: true })
      return { kind: 'ended' }
    case 1006: // [RFC 6455 §7.1.5] closed without a close frame: the connection dropped
    case 1015: // [RFC 6455 §7.4.1] the TLS handshake failed
      return { kind: 'network' }
    // Try again later (what @lifeline/server sends while its log cannot be read) and bad
    // gateway: WebSocket's 503 and 502, an outage that says nothing of the stream.
    case 1013:
    case 1014:
      return { kind: 'network', error: new Error(describe(code, reason)) }
    default:
      return { kind: 'protocol', message: describe(code, reason) }
  }
}

function describe(code: number, reason: string): string {
  const detail = reason === '' ? (CODE_NAMES[code] ?? 'unknown code') : reason
  return `WebSocket closed with code ${code} (${detail})`
}

/**
 * The {@link CloseReason} for an error event: the connection failed. ws reports a bad frame
 * from the server (over `maxPayload`, invalid UTF-8, a bad opcode) as an error with a
 * `WS_ERR_` code before it drops the socket; that is the server breaking the protocol, not
 * the network.
 */
export function errorReason(error: unknown, maxFrameBytes: number): CloseReason {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : ''
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return { kind: 'protocol', message: `frame exceeds ${maxFrameBytes} bytes` }
  }
  if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
    // ws's messages name the fault: "Invalid WebSocket frame: invalid UTF-8 sequence".
    return { kind: 'protocol', message: error instanceof Error ? error.message : code }
  }
  // A WHATWG error event carries no error: browsers hide why a connection failed.
  return error === undefined ? { kind: 'network' } : { kind: 'network', error }
}

const CODE_NAMES: Record<number, string> = {
  1002: 'protocol error',
  1003: 'unsupported data',
  1007: 'invalid frame payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension',
  1011: 'internal error',
  1013: 'try again later',
  1014: 'bad gateway',
}
