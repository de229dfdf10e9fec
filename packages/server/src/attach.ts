import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { refuseUpgrade } from './upgrade-refusal'

/** A listener of Node's `upgrade` event. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

/** Anything that emits Node's `upgrade` event: `http.Server`, `https.Server`, `http2` in compat. */
export interface UpgradeSource {
  on(event: 'upgrade', listener: UpgradeListener): unknown
  off(event: 'upgrade', listener: UpgradeListener): unknown
  /**
   * The `upgrade` listeners (every `EventEmitter` has it): with it the hub can tell an
   * upgrade that no listener will take, and end it.
   */
  listeners?(event: 'upgrade'): readonly unknown[]
}

/** The listeners `hub.attach` added, of every hub, and which upgrades each serves. */
const attached = new WeakMap<object, (req: IncomingMessage) => boolean>()

/** The pathname of a request target, or undefined for one that is no URL (`//`). */
function pathnameOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname
  } catch {
    return undefined
  }
}

/**
 * Whether no listener of `source` takes this upgrade, so `self` must end it: every listener
 * is one of `hub.attach` and none serves the path, and `self` is the first of them (one
 * answer per upgrade). A listener of the app's own may take any upgrade, even later: then
 * the hub leaves every upgrade it does not serve alone.
 */
function unserved(source: UpgradeSource, self: UpgradeListener, req: IncomingMessage): boolean {
  const listeners = source.listeners?.('upgrade')
  if (listeners === undefined) return false
  for (const listener of listeners) {
    const serves = typeof listener === 'function' ? attached.get(listener) : undefined
    if (serves === undefined || serves(req)) return false
  }
  return listeners[0] === self
}

/**
 * Serves the upgrades of `source` to `path` (all upgrades without one) with `serve`; ends
 * with 404 an upgrade that no listener serves. Returns the function that detaches again.
 */
export function attachUpgrades(
  source: UpgradeSource,
  path: string | undefined,
  serve: UpgradeListener,
): () => void {
  const serves = (req: IncomingMessage) => path === undefined || pathnameOf(req.url) === path
  const listener: UpgradeListener = (req, socket, head) => {
    if (serves(req)) serve(req, socket, head)
    else if (unserved(source, listener, req)) refuseUpgrade(socket, 404)
  }
  attached.set(listener, serves)
  source.on('upgrade', listener)
  return () => {
    source.off('upgrade', listener)
    attached.delete(listener)
  }
}
