import { type Client, createClient, type StreamEvent } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { websocket } from '@lifeline/websocket'
import { createElement, type ReactNode, StrictMode, useEffect, useState, version } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { LifelineProvider, useConnectionState, useEventStream, useLifeline } from '../src/index'

// Runs in Chromium: the browser test mounts these components and reads what they rendered.

/** What the page shows the test of the components it mounted. */
export interface PageView {
  react: string
  /** Renders of the component holding the hook (StrictMode renders twice each time). */
  renders: number
  state: string
  transport: string
  lastEventId: string | undefined
  /** `data` of the events the hook took, in order. */
  data: string[]
  error: string | undefined
  /** useConnectionState in each badge: `state transport`. */
  badges: string[]
  /** Events the shared client's subscriber got, in order. */
  feed: string[]
}

let root: Root | undefined
let shared: Client | undefined
let view: PageView
let rerender: () => void = () => {}
let setUrl: (url: string) => void = () => {}

const wrap = (strict: boolean, node: ReactNode) =>
  strict ? createElement(StrictMode, null, node) : node

function reset(): void {
  root?.unmount()
  shared?.close()
  shared = undefined
  view = {
    react: version,
    renders: 0,
    state: '',
    transport: '',
    lastEventId: undefined,
    data: [],
    error: undefined,
    badges: [],
    feed: [],
  }
  const element = document.createElement('div')
  document.body.replaceChildren(element)
  root = createRoot(element)
}

function Stream({ url, fallback }: { url: string; fallback: boolean }) {
  view.renders++
  // Written inline on purpose: new arrays and objects on every render.
  const stream = useEventStream(
    {
      url,
      transports: fallback ? [sseFetch(), websocket()] : [sseFetch()],
      strategy: fallback ? { fallbackAfter: 1 } : 'resilient',
      backoff: { initial: 50, max: 200 },
    },
    { reduce: (list: string[], e: StreamEvent) => [...list, e.data], initial: [] },
  )
  useEffect(() => {
    Object.assign(view, {
      state: stream.state,
      transport: stream.transport,
      lastEventId: stream.lastEventId,
      data: stream.data,
      error: stream.error?.code,
    })
  })
  return createElement('p', null, `${stream.state} ${stream.data.length}`)
}

function StreamApp({ first, fallback }: { first: string; fallback: boolean }) {
  const [, setTick] = useState(0)
  const [url, changeUrl] = useState(first)
  rerender = () => setTick((tick) => tick + 1)
  setUrl = changeUrl
  return createElement(Stream, { url, fallback })
}

/** Mounts one component with `useEventStream` on `url`. */
export function mountStream(url: string, options: { strict: boolean; fallback?: boolean }): void {
  reset()
  root?.render(
    wrap(options.strict, createElement(StreamApp, { first: url, fallback: !!options.fallback })),
  )
}

/** Renders the component again with the same options, written anew. */
export function renderAgain(): void {
  rerender()
}

/** Renders it with another url. */
export function changeUrl(url: string): void {
  setUrl(url)
}

function Badge({ index }: { index: number }) {
  const { state, transport } = useConnectionState()
  useEffect(() => {
    view.badges[index] = `${state} ${transport}`
  })
  return createElement('span', null, state)
}

function Feed() {
  const client = useLifeline()
  useEffect(() => {
    const onEvent = (_type: string, e: StreamEvent) => view.feed.push(e.data)
    client.on('*', onEvent)
    return () => client.off('*', onEvent)
  }, [client])
  return null
}

/** Mounts a provider sharing one client (created with `connect: false`) with two badges and a feed. */
export function mountShared(url: string, options: { strict: boolean }): void {
  reset()
  shared = createClient({ url, transports: [sseFetch()], connect: false })
  root?.render(
    wrap(
      options.strict,
      createElement(
        LifelineProvider,
        { client: shared },
        createElement(Badge, { index: 0 }),
        createElement(Badge, { index: 1 }),
        createElement(Feed),
      ),
    ),
  )
}

/** Unmounts everything (and closes the shared client, which the page created). */
export function unmount(): void {
  root?.unmount()
  root = undefined
  shared?.close()
}

/** What the components rendered so far. */
export function current(): PageView {
  return structuredClone(view)
}
