import type { ConnectionEvents, StreamEvent } from '@lifeline/core'
import { useEffect, useRef, useState } from 'react'
import { type EventStreamOptions, optionsKey } from './options-key'
import { bindStream, type EventStream, idleStream } from './stream-binding'

/**
 * What `useEventStream` does with the events, besides its options. Read at every event,
 * so inline functions are fine: a new one does not reconnect.
 *
 * @example
 * ```ts
 * const prices = useEventStream(
 *   { url: '/events', transports: [sseFetch(), websocket()] },
 *   { events: ['price'], reduce: (list: string[], e) => [...list, e.data].slice(-50), initial: [] },
 * )
 * ```
 */
export interface EventStreamConfig<T> {
  /** Event types to take; unset takes every type. */
  events?: readonly string[] | undefined
  /** Called with each event taken, before `reduce`. */
  onEvent?: ((event: StreamEvent) => void) | undefined
  /** Folds each event taken into `data`, starting from `initial`. */
  reduce?: ((data: T, event: StreamEvent) => T) | undefined
  /** `data` before the first event, and again when new options start a new client. */
  initial?: T | undefined
  /** History was lost (the client's `gap`): refetch what `data` was built from. */
  onGap?: ((gap: ConnectionEvents['gap']) => void) | undefined
}

/** `data` without `reduce`: the overloads make `T` the event type then. */
const lastEvent = <T>(_: T, event: StreamEvent): T => event as T

/**
 * Opens one Lifeline client for the component and returns its connection and data; closes
 * it on unmount. Options are compared by value and transports by name, so a re-render that
 * writes them inline does not reconnect; options that differ start a new client (and `data`
 * starts again from `initial`). Nothing connects during server rendering, and StrictMode's
 * development double mount opens one connection, not two.
 *
 * @example
 * ```ts
 * function Ticker() {
 *   const { state, data } = useEventStream({ url: '/events', transports: [sseFetch()] })
 *   return `${state}: ${data?.data ?? 'waiting'}`
 * }
 * ```
 */
export function useEventStream<T>(
  options: EventStreamOptions,
  config: EventStreamConfig<T> & { reduce: (data: T, event: StreamEvent) => T; initial: T },
): EventStream<T>
export function useEventStream(
  options: EventStreamOptions,
  config?: Omit<EventStreamConfig<StreamEvent | undefined>, 'reduce' | 'initial'>,
): EventStream<StreamEvent | undefined>
export function useEventStream<T>(
  options: EventStreamOptions,
  config: EventStreamConfig<T> = {},
): EventStream<T> {
  const key = optionsKey(options)
  const latest = useRef({ options, config })
  // Updated after each commit, before the effect below: events use the latest handlers.
  useEffect(() => {
    latest.current = { options, config }
  })
  const [snapshot, setSnapshot] = useState(() => idleStream(options, config.initial as T))
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the options.
  useEffect(() => {
    const { options: current, config: first } = latest.current
    const headers =
      typeof current.headers === 'function'
        ? () => {
            const now = latest.current.options.headers
            return typeof now === 'function' ? now() : (now ?? {})
          }
        : current.headers
    const binding = bindStream(
      { ...current, headers },
      first.initial as T,
      () => {
        const { events, onEvent, reduce, onGap } = latest.current.config
        return { events, onEvent, onGap, reduce: reduce ?? lastEvent }
      },
      setSnapshot,
    )
    return () => binding.close()
  }, [key])
  return snapshot
}
