import type { Client, ConnectionState } from '@lifeline/core'
import { useSyncExternalStore } from 'react'
import { useLifeline } from './provider'

/** What `useConnectionState` returns. */
export interface ConnectionSnapshot {
  readonly state: ConnectionState
  /** The name of the transport in use (or about to be). */
  readonly transport: string
}

interface ConnectionStore {
  subscribe(listener: () => void): () => void
  getSnapshot(): ConnectionSnapshot
}

// One store per client, so every component of a page reads the same snapshot object.
const stores = new WeakMap<Client, ConnectionStore>()

function storeOf(client: Client): ConnectionStore {
  const known = stores.get(client)
  if (known !== undefined) return known
  let snapshot: ConnectionSnapshot = { state: client.connection.state, transport: '' }
  const store: ConnectionStore = {
    subscribe(listener) {
      const { connection } = client
      connection.on('state', listener)
      connection.on('transport', listener)
      return () => {
        connection.off('state', listener)
        connection.off('transport', listener)
      }
    },
    getSnapshot() {
      const { state, transport } = client.connection
      // The same object while nothing changed, as useSyncExternalStore requires.
      if (snapshot.state !== state || snapshot.transport !== transport)
        snapshot = { state, transport }
      return snapshot
    },
  }
  stores.set(client, store)
  return store
}

/**
 * The state and transport of the nearest {@link LifelineProvider}'s client; the component
 * renders again when either changes, not on every event. Server rendering reads the client
 * as it is (`idle` when created with `connect: false`).
 *
 * @example
 * ```ts
 * function Badge() {
 *   const { state, transport } = useConnectionState()
 *   return `${state} over ${transport}`
 * }
 * ```
 */
export function useConnectionState(): ConnectionSnapshot {
  const store = storeOf(useLifeline())
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
}
