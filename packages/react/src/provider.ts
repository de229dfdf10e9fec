import { type Client, LifelineError } from '@lifeline/core'
import { createContext, createElement, type ReactNode, useContext, useEffect } from 'react'

const LifelineContext = createContext<Client | undefined>(undefined)

/**
 * The props of {@link LifelineProvider}.
 *
 * @example
 * ```ts
 * const props: LifelineProviderProps = { client, children: null }
 * ```
 */
export interface LifelineProviderProps {
  /** The client to share; the app creates it (with `connect: false` to render on a server). */
  client: Client
  children?: ReactNode
}

/**
 * Shares one client with every component below it (`useLifeline`, `useConnectionState`).
 * It starts the client in an effect (`client.connect()`, a no-op once connecting), so a
 * client created with `connect: false` connects in the browser and never on a server. It
 * does not close the client: whoever created it does.
 *
 * @example
 * ```ts
 * const client = createClient({ url: '/events', transports: [sseFetch()], connect: false })
 * createRoot(element).render(createElement(LifelineProvider, { client }, createElement(App)))
 * ```
 */
export function LifelineProvider({ client, children }: LifelineProviderProps): ReactNode {
  useEffect(() => {
    client.connect()
  }, [client])
  return createElement(LifelineContext.Provider, { value: client }, children)
}

/**
 * The client of the nearest {@link LifelineProvider}. Throws `LifelineError`
 * `invalid-option` when there is none.
 *
 * @example
 * ```ts
 * function Prices() {
 *   const client = useLifeline()
 *   useEffect(() => {
 *     const onPrice = (e: StreamEvent) => render(e.data)
 *     client.on('price', onPrice)
 *     return () => client.off('price', onPrice)
 *   }, [client])
 *   return null
 * }
 * ```
 */
export function useLifeline(): Client {
  const client = useContext(LifelineContext)
  if (client === undefined)
    throw new LifelineError(
      'invalid-option',
      'useLifeline() and useConnectionState() need a <LifelineProvider client={…}> above them',
    )
  return client
}
