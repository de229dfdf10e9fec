import type { ShareMessage } from '@lifeline/core'
import type { BroadcastChannelConstructor } from './options'

/**
 * What crosses a share's channel: the leader's messages, and `hello`, a newcomer asking
 * the leader for a snapshot.
 */
export type TabsMessage = ShareMessage | { type: 'hello' }

/** One tab's end of a share's channel. */
export interface ShareChannel {
  /** To every other end of the channel (other tabs, other clients of this tab). */
  post(message: TabsMessage): void
  close(): void
}

// Every type, so the compiler says when the messages grow and this list did not.
const TYPES: Record<TabsMessage['type'], true> = {
  hello: true,
  event: true,
  id: true,
  snapshot: true,
  state: true,
  transport: true,
  gap: true,
  resumed: true,
  retry: true,
  error: true,
}

/** Any script of the origin may post on the channel's name: only our messages get through. */
function isMessage(data: unknown): data is TabsMessage {
  if (typeof data !== 'object' || data === null) return false
  const { type } = data as { type?: unknown }
  return typeof type === 'string' && Object.hasOwn(TYPES, type)
}

const describe = (error: unknown): string => {
  try {
    return String(error)
  } catch {
    return typeof error
  }
}

/** The message with its reason's `error` as text, or `undefined` when it has none. */
function withTextError(message: TabsMessage): TabsMessage | undefined {
  const payload = 'payload' in message ? (message.payload as { reason?: unknown }) : undefined
  const reason = payload?.reason
  if (typeof reason !== 'object' || reason === null || !('error' in reason)) return undefined
  const error = describe(reason.error)
  return { ...message, payload: { ...payload, reason: { ...reason, error } } } as TabsMessage
}

/**
 * Opens the channel `name` and hands every message of another end to `receive`, in the
 * order that end posted them.
 */
export function openChannel(
  Channel: BroadcastChannelConstructor,
  name: string,
  receive: (message: TabsMessage) => void,
): ShareChannel {
  const channel = new Channel(name)
  let open = true
  channel.addEventListener('message', ({ data }) => {
    if (open && isMessage(data)) receive(data)
  })
  return {
    post(message) {
      if (!open) return
      try {
        channel.postMessage(message)
      } catch {
        // [HTML] postMessage throws a DataCloneError for what structured clone cannot
        // copy: a transport's own error object inside a reason. Its text crosses instead.
        const text = withTextError(message)
        try {
          if (text !== undefined) channel.postMessage(text)
        } catch {
          // Nothing of it can cross: the followers miss this one connection event.
        }
      }
    },
    close() {
      open = false
      channel.close()
    },
  }
}
