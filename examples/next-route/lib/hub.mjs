// @ts-check
import { createHub } from '@lifeline/server'

// One hub per server process. In development Next.js evaluates route modules again on every
// change; a hub kept on globalThis keeps its streams and connections across that.
const shared = /** @type {{ lifelineHub?: import('@lifeline/server').Hub }} */ (
  /** @type {unknown} */ (globalThis)
)
shared.lifelineHub ??= createHub()

/** The hub both route handlers use. */
export const hub = shared.lifelineHub
