import type { CloseReason, TransportEvent } from '@lifeline/core'

/**
 * What a pipe can express, as crossws flags what a runtime can do. A case that needs a
 * capability the transport lacks is not registered for it.
 *
 * @example
 * ```ts
 * const sse: TransportCapabilities = { httpResponse: true }
 * const websocket: TransportCapabilities = { httpResponse: false }
 * ```
 */
export interface TransportCapabilities {
  /**
   * The stream is the body of an HTTP response: the transport sees its status and content
   * type before the stream starts, and its bytes arrive split anywhere (SSE over fetch or
   * XHR, long-poll). A WebSocket has neither: a refused upgrade is just an error in a
   * browser, and every frame holds whole blocks. With it the WHATWG parsing cases run too.
   */
  httpResponse: boolean
}

/** Bytes on the wire: a string (sent as UTF-8) or raw bytes, e.g. half a UTF-8 sequence. */
export type ContractChunk = string | readonly number[]

/**
 * What the server side does in one case, whatever the pipe. The contract server plays it
 * for the request that arrives: an HTTP request gets `blocks` as response chunks; a
 * WebSocket first gets its acceptance frame (`: ok`), then one text frame per block.
 * Blocks are whole SSE blocks, so every pipe can carry them.
 */
export type ContractScenario =
  /** Accept, send the blocks, then end cleanly, keep the stream open, or cut the connection. */
  | { kind: 'stream'; blocks: readonly string[]; after: 'end' | 'hold' | 'drop' }
  /** Answer 200 `text/event-stream`, write the chunks as they are, then end. Needs `httpResponse`. */
  | { kind: 'bytes'; chunks: readonly ContractChunk[] }
  /** Answer with this HTTP status and an open body that never ends. Needs `httpResponse`. */
  | { kind: 'status'; status: number }
  /** Answer 200 with this content type (`null`: none), then the blocks; hold the stream open. */
  | { kind: 'content-type'; contentType: string | null; blocks: readonly string[] }
  /** Take the connection and the request, and never answer. */
  | { kind: 'silent' }
  /** Nothing listens at the URL. */
  | { kind: 'refused' }

/** What the server side saw of one request. */
export interface ContractReceived {
  /**
   * The resume point the client sent, if any: the `Last-Event-ID` header, else the
   * `lastEventId` query parameter (long-poll), else the WebSocket hello's field.
   */
  lastEventId: string | undefined
}

/** A scenario mounted on a {@link ContractServer}. */
export interface MountedScenario {
  /** Where the transport under test connects: an http URL (a WebSocket transport derives ws). */
  readonly url: string
  /** Resolves once the server has received the request. */
  requested(): Promise<void>
  /** Every request received for this scenario. */
  received(): readonly ContractReceived[]
}

/**
 * The server side of the contract: plays each mounted scenario under a path of its own,
 * for whichever pipe arrives. Kept apart from the transport under test, so a runner can
 * serve the cases from Node and run the transport somewhere else (a browser page).
 */
export interface ContractServer {
  mount(scenario: ContractScenario): Promise<MountedScenario>
  /** Connections that carried a request and are open right now: 0 once the client let go. */
  openConnections(): number
  /** Resolves once `openConnections()` is 0; rejects after `timeoutMs` (default 5,000). */
  drained(timeoutMs?: number): Promise<void>
  /** Cuts every connection and stops listening. */
  close(): Promise<void>
}

/** When the runner aborts the attempt, and how. */
export interface ContractAbort {
  /** `before`: the signal is aborted before `open()`; the others wait for that moment. */
  when: 'before' | 'requested' | 'opened' | 'event'
  /** Abort `request.signal`, or call the connection's `close()`. */
  via: 'signal' | 'close'
}

/** One call a transport made on its sink, in the order it made them. */
export type SinkRecord =
  | { call: 'opened' }
  | { call: 'activity' }
  | { call: 'event'; event: TransportEvent }
  | { call: 'id'; lastEventId: string }
  | { call: 'retry'; ms: number }
  | { call: 'closed'; reason: CloseReason }

/**
 * A sink call as the contract compares it: `activity` left out (how many depends on how
 * the network chunks bytes), and reasons reduced to what the negotiator acts on.
 */
export type ContractRecord =
  | { call: 'opened' }
  | { call: 'event'; event: { type: string; data: string; id?: string } }
  | { call: 'id'; lastEventId: string }
  | { call: 'retry'; ms: number }
  | {
      call: 'closed'
      reason:
        | { kind: 'http'; status: number }
        | { kind: 'network' | 'protocol' | 'ended' | 'no-content' | 'aborted' }
    }

/** One case of the transport contract: plain data, so it can cross into a browser. */
export interface ContractCase {
  name: string
  requires?: readonly (keyof TransportCapabilities)[]
  scenario: ContractScenario
  request?: { lastEventId?: string; maxMessageBytes?: number }
  abort?: ContractAbort
  /** The sink calls, without `activity`, in order. */
  records: readonly ContractRecord[]
  /** What the server must have received, when the case is about the request. */
  received?: readonly ContractReceived[]
}
