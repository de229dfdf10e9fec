import { addressKey } from './client-address'

/** A connection's share of `maxClients` and `maxClientsPerAddress`, until released (once). */
export interface Place {
  release(): void
}

/** Why a connection got no place: the hub is full (503), or its address is (429). */
export type NoPlace = 'hub-full' | 'address-full'

/** The places of one hub. */
export interface ConnectionLimits {
  /** A place for a connection from `address` (uncounted per address when unknown). */
  claim(address: string | undefined): Place | NoPlace
}

/**
 * Counts connections from admission until they are gone: streams, upgrades awaiting their
 * hello, both pipes together.
 */
export function createConnectionLimits(
  maxClients: number,
  maxPerAddress: number | undefined,
): ConnectionLimits {
  let taken = 0
  const perAddress = new Map<string, number>()
  return {
    claim(address) {
      const key =
        maxPerAddress === undefined || address === undefined ? undefined : addressKey(address)
      const fromAddress = key === undefined ? 0 : (perAddress.get(key) ?? 0)
      if (maxPerAddress !== undefined && fromAddress >= maxPerAddress) return 'address-full'
      if (taken >= maxClients) return 'hub-full'
      taken++
      if (key !== undefined) perAddress.set(key, fromAddress + 1)
      let held = true
      return {
        release() {
          if (!held) return
          held = false
          taken--
          if (key === undefined) return
          const left = (perAddress.get(key) ?? 1) - 1
          if (left === 0) perAddress.delete(key)
          else perAddress.set(key, left)
        },
      }
    },
  }
}
