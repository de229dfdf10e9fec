import { type Client, createClient, type LifecycleSource } from '@lifeline/core'
import { sseFetch } from '@lifeline/sse-fetch'
import { scriptedTransport } from '@lifeline/testkit/doubles/scripted-transport'
import { hubServersPerTest } from '@lifeline/testkit/servers/hub-server'
import { websocket } from '@lifeline/websocket'
import { createElement, StrictMode, version } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { LifelineProvider, useConnectionState, useEventStream, useLifeline } from '../src/index'

// Every client subscribes to its lifecycle source when it is created: a spy there counts
// the clients that exist, connected or not.
function lifecycleSpy() {
  const subscribe = vi.fn<LifecycleSource['subscribe']>(() => () => {})
  return { lifecycle: { isOnline: () => true, subscribe }, subscribe }
}

const flush = () => new Promise((resolve) => setImmediate(resolve))

function Ticker({ url, lifecycle }: { url: string; lifecycle: LifecycleSource }) {
  const stream = useEventStream({
    url,
    transports: [sseFetch(), websocket()],
    environment: { lifecycle },
  })
  return createElement('p', null, `${stream.state} ${stream.transport} ${stream.data ?? '-'}`)
}

function Count() {
  const { data, lastEventId } = useEventStream(
    { url: 'http://127.0.0.1:1/events', transports: [scriptedTransport()], lastEventId: '7' },
    { reduce: (n: number) => n + 1, initial: 0 },
  )
  return createElement('b', null, `${data} after ${lastEventId}`)
}

function Badge({ client }: { client: Client }) {
  const { state, transport } = useConnectionState()
  return createElement('span', null, `${state} ${transport} ${useLifeline() === client}`)
}

function Orphan({ hook }: { hook: () => unknown }) {
  hook()
  return null
}
const start = hubServersPerTest()

describe(`server rendering with React ${version}`, () => {
  it('renders useEventStream idle, creates no client and opens no connection', async () => {
    const server = await start()
    let requests = 0
    server.server.on('request', () => requests++)
    server.server.on('upgrade', () => requests++)
    const { lifecycle, subscribe } = lifecycleSpy()
    const html = renderToString(
      createElement(StrictMode, null, createElement(Ticker, { url: server.url, lifecycle })),
    )
    await flush()
    expect(html).toBe('<p>idle sse-fetch -</p>')
    expect(subscribe).not.toHaveBeenCalled()
    expect(requests).toBe(0)
    expect(server.hub.stats().clients).toBe(0)
  })

  it('renders the initial value of a reduced stream and the resume point it was given', () => {
    expect(renderToString(createElement(Count))).toBe('<b>0 after 7</b>')
  })

  it('renders a shared client created with connect: false as idle and never starts it', async () => {
    const { lifecycle, subscribe } = lifecycleSpy()
    const transport = scriptedTransport('sse-fetch')
    const client = createClient({
      url: 'http://127.0.0.1:1/events',
      transports: [transport],
      connect: false,
      environment: { lifecycle },
    })
    const html = renderToString(
      createElement(
        LifelineProvider,
        { client },
        createElement(Badge, { client }),
        createElement(Badge, { client }),
      ),
    )
    await flush()
    expect(html).toBe('<span>idle sse-fetch true</span><span>idle sse-fetch true</span>')
    expect(subscribe).toHaveBeenCalledTimes(1)
    expect(transport.connections).toHaveLength(0)
    client.close()
  })

  it('throws LifelineError invalid-option from useLifeline and useConnectionState without a provider', () => {
    for (const hook of [useLifeline, useConnectionState]) {
      expect(() => renderToString(createElement(Orphan, { hook }))).toThrow(
        expect.objectContaining({ name: 'LifelineError', code: 'invalid-option' }),
      )
    }
  })
})
