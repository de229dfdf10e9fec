import {
  type ConnectionEvents,
  createClient,
  LifelineError,
  type StreamEvent,
} from '@lifeline/core'
import {
  type ScriptedTransport,
  scriptedTransport,
} from '@lifeline/testkit/doubles/scripted-transport'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type TabsOptions, tabs } from '../src/index'
import { type FakeBrowser, type FakeTab, fakeBrowser } from './fake-browser'

const url = 'http://127.0.0.1:1/events'

let browser: FakeBrowser
beforeEach(() => {
  vi.useFakeTimers()
  browser = fakeBrowser()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const browserParts = (tab: FakeTab) => ({
  locks: tab.locks,
  BroadcastChannel: tab.BroadcastChannel,
  lifecycle: tab.lifecycle,
})

/** A client in `tab` sharing through `tabs()`, and what its app saw. */
function open(
  tab: FakeTab,
  options: { url?: string; name?: string; transport?: ScriptedTransport; share?: TabsOptions } = {},
) {
  const transport = options.transport ?? scriptedTransport('sse')
  const client = createClient({
    url: options.url ?? url,
    transports: [transport],
    share: tabs(options.share ?? { name: options.name, ...browserParts(tab) }),
    environment: { random: () => 0 },
  })
  const events: StreamEvent[] = []
  const roles: ConnectionEvents['role'][] = []
  const errors: LifelineError[] = []
  client.on('*', (_type, event) => events.push(event))
  client.connection.on('role', (role) => roles.push(role))
  client.connection.on('error', (error) => errors.push(error))
  return {
    client,
    transport,
    events,
    roles,
    errors,
    ids: () => events.map((event) => event.id),
    get role() {
      return client.connection.role
    },
  }
}

/** Every client closed, the browser settled: nothing is left behind. */
async function closeAll(...members: { client: { close(): void } }[]) {
  for (const member of members) member.client.close()
  await browser.settle()
  expect(browser.channels()).toEqual({})
  for (const lock of Object.values(browser.locks()))
    expect(lock).toEqual({ held: undefined, queued: [] })
  expect(vi.getTimerCount()).toBe(0)
}

describe('tabs(): one connection per browser', () => {
  it('elects one leader: it alone connects, and every other tab sees each event once', async () => {
    const [a, b, c] = [open(browser.tab()), open(browser.tab()), open(browser.tab())]
    expect([a.role, b.role, c.role]).toEqual(['follower', 'follower', 'follower'])
    await browser.settle()
    expect([a.role, b.role, c.role]).toEqual(['leader', 'follower', 'follower'])
    expect(a.roles).toEqual([{ from: 'follower', to: 'leader' }])
    expect([b.transport.connections, c.transport.connections]).toEqual([[], []])
    a.transport.last().accept().send({ id: '1', data: 'x' }).position('2').send({ id: '3' })
    await browser.settle()
    for (const follower of [b, c]) {
      expect(follower.ids()).toEqual(['1', '3'])
      expect(follower.events[0]).toEqual(a.events[0])
      expect(follower.client.connection).toMatchObject({
        state: 'open',
        transport: 'sse',
        lastEventId: '3',
        role: 'follower',
      })
    }
    await closeAll(a, b, c)
  })

  it('gives a newcomer a snapshot: it mirrors the open connection at once, then follows', async () => {
    const a = open(browser.tab())
    await browser.settle()
    a.transport.last().accept().send({ id: '7' })
    const b = open(browser.tab())
    await browser.settle()
    expect(b.client.connection).toMatchObject({ state: 'open', lastEventId: '7', role: 'follower' })
    expect(b.events).toEqual([])
    a.transport.last().send({ id: '8' })
    await browser.settle()
    expect(b.ids()).toEqual(['8'])
    await closeAll(a, b)
  })

  it('hands over on close(): the next tab leads from the last relayed id, nothing lost or twice', async () => {
    const [a, b, c] = [open(browser.tab()), open(browser.tab()), open(browser.tab())]
    await browser.settle()
    a.transport.last().accept().send({ id: '1' }).send({ id: '2' })
    a.client.close()
    await browser.settle()
    expect([b.role, c.role]).toEqual(['leader', 'follower'])
    expect(b.roles).toEqual([{ from: 'follower', to: 'leader' }])
    // It resumes where the old leader was; the replay overlapping what it saw is dropped.
    expect(b.transport.last().request.lastEventId).toBe('2')
    b.transport.last().accept().send({ id: '2' }).send({ id: '3' })
    await browser.settle()
    expect(b.ids()).toEqual(['1', '2', '3'])
    expect(c.ids()).toEqual(['1', '2', '3'])
    expect(a.transport.live()).toEqual([])
    await closeAll(b, c)
  })

  it('takes over from a leader whose page crashed: the browser gave its lock back', async () => {
    const tabA = browser.tab()
    const [a, b] = [open(tabA), open(browser.tab())]
    await browser.settle()
    a.transport.last().accept().send({ id: '1' })
    await browser.settle()
    tabA.crash()
    await browser.settle()
    expect(b.role).toBe('leader')
    expect(b.transport.last().request.lastEventId).toBe('1')
    b.transport.last().accept().send({ id: '2' })
    expect(b.ids()).toEqual(['1', '2'])
    // The dead page's objects are gone with it; only the test still holds them.
    a.client.close()
    await closeAll(b)
  })

  it('a leader that freezes steps down: another tab leads, and the frozen one catches up when it resumes', async () => {
    const tabA = browser.tab()
    const [a, b] = [open(tabA), open(browser.tab())]
    await browser.settle()
    a.transport.last().accept().send({ id: '1' })
    await browser.settle()
    tabA.freeze()
    expect(a.role).toBe('follower')
    expect(a.transport.live()).toEqual([])
    expect(a.roles).toEqual([
      { from: 'follower', to: 'leader' },
      { from: 'leader', to: 'follower' },
    ])
    await browser.settle()
    expect(b.role).toBe('leader')
    expect(b.transport.last().request.lastEventId).toBe('1')
    b.transport.last().accept().send({ id: '2' }).send({ id: '3' })
    await browser.settle()
    expect(a.ids()).toEqual(['1'])
    tabA.resume()
    await browser.settle()
    expect(a.ids()).toEqual(['1', '2', '3'])
    expect(a.client.connection).toMatchObject({ role: 'follower', state: 'open', lastEventId: '3' })
    // It stood again: it leads when the new leader goes.
    b.client.close()
    await browser.settle()
    expect(a.role).toBe('leader')
    expect(a.transport.last().request.lastEventId).toBe('3')
    await closeAll(a)
  })

  it('a frozen follower withdraws from the election, so a running tab leads, never a frozen one', async () => {
    const tabB = browser.tab()
    const [a, b, c] = [open(browser.tab()), open(tabB), open(browser.tab())]
    await browser.settle()
    tabB.freeze()
    a.client.close()
    await browser.settle()
    // b asked first, but a frozen page cannot take the lock: c leads.
    expect([b.role, c.role]).toEqual(['follower', 'leader'])
    c.transport.last().accept().send({ id: '1' })
    tabB.resume()
    await browser.settle()
    expect(b.ids()).toEqual(['1'])
    c.client.close()
    await browser.settle()
    expect(b.role).toBe('leader')
    await closeAll(b)
  })

  it('a page that comes back before anyone else leads takes the lock again and resumes', async () => {
    const tabA = browser.tab()
    const a = open(tabA)
    await browser.settle()
    a.transport.last().accept().send({ id: '4' })
    tabA.freeze()
    await browser.settle()
    expect(Object.values(browser.locks())).toEqual([{ held: undefined, queued: [] }])
    tabA.resume()
    await browser.settle()
    expect(a.role).toBe('leader')
    expect(a.transport.connections).toHaveLength(2)
    expect(a.transport.last().request.lastEventId).toBe('4')
    await closeAll(a)
  })

  it('elects a new leader that uses another transport: the followers mirror the new one', async () => {
    const [a, b, c] = [
      open(browser.tab(), { transport: scriptedTransport('websocket') }),
      open(browser.tab()),
      open(browser.tab()),
    ]
    await browser.settle()
    a.transport.last().accept().send({ id: '1' })
    await browser.settle()
    expect(c.client.connection.transport).toBe('websocket')
    a.client.close()
    await browser.settle()
    expect(c.client.connection).toMatchObject({ transport: 'sse', state: 'connecting' })
    await closeAll(b, c)
  })

  it('a client that closes while the lock is on its way to it passes the lock on', async () => {
    const [a, b, c] = [open(browser.tab()), open(browser.tab()), open(browser.tab())]
    await browser.settle()
    a.client.close()
    await browser.reactions()
    // The lock is b's now, but b's page has not run the grant yet.
    expect(Object.values(browser.locks())).toEqual([{ held: 1, queued: [2] }])
    b.client.close()
    await browser.settle()
    expect([b.transport.connections.length, c.role]).toEqual([0, 'leader'])
    await closeAll(c)
  })

  it("a follower's close() withdraws its request and closes its channel", async () => {
    const [a, b] = [open(browser.tab()), open(browser.tab())]
    await browser.settle()
    a.transport.last().accept()
    b.client.close()
    await browser.settle()
    expect(Object.values(browser.channels())).toEqual([1])
    expect(Object.values(browser.locks())).toEqual([{ held: 0, queued: [] }])
    a.transport.last().send({ id: '1' })
    a.client.close()
    await browser.settle()
    expect(b.events).toEqual([])
    expect(b.transport.connections).toEqual([])
    await closeAll()
  })

  it('shares between two clients of one tab as between tabs', async () => {
    const tab = browser.tab()
    const [a, b] = [open(tab), open(tab)]
    await browser.settle()
    expect([a.role, b.role]).toEqual(['leader', 'follower'])
    a.transport.last().accept().send({ id: '1' })
    await browser.settle()
    expect(b.ids()).toEqual(['1'])
    await closeAll(a, b)
  })

  it('shares nothing with clients of another URL or another name', async () => {
    const tab = () => browser.tab()
    const a = open(tab())
    const otherUrl = open(tab(), { url: `${url}?room=2` })
    const otherName = open(tab(), { name: 'admin' })
    const same = open(tab())
    await browser.settle()
    expect([a.role, otherUrl.role, otherName.role, same.role]).toEqual([
      'leader',
      'leader',
      'leader',
      'follower',
    ])
    a.transport.last().accept().send({ id: '1' })
    otherUrl.transport.last().accept().send({ id: 'u' })
    otherName.transport.last().accept().send({ id: 'n' })
    await browser.settle()
    expect(same.ids()).toEqual(['1'])
    expect(otherUrl.ids()).toEqual(['u'])
    expect(otherName.ids()).toEqual(['n'])
    expect(Object.keys(browser.locks())).toHaveLength(3)
    await closeAll(a, otherUrl, otherName, same)
  })

  it('ignores what other scripts of the origin post on the channel', async () => {
    const tab = browser.tab()
    const [a, b] = [open(tab), open(browser.tab())]
    await browser.settle()
    a.transport.last().accept().send({ id: '1' })
    await browser.settle()
    const [name] = Object.keys(browser.channels())
    const stranger = new tab.BroadcastChannel(name ?? '')
    for (const junk of [null, 'event', 42, {}, { type: 'role', payload: {} }, { type: 'close' }])
      stranger.postMessage(junk)
    await browser.settle()
    expect(b.client.connection).toMatchObject({ role: 'follower', state: 'open', lastEventId: '1' })
    expect(b.roles).toEqual([])
    stranger.close()
    await closeAll(a, b)
  })

  it("relays the leader's errors, a reason the channel cannot clone as text", async () => {
    const [a, b] = [open(browser.tab()), open(browser.tab())]
    await browser.settle()
    // A transport's own error object: structured clone cannot copy a function.
    const error = { toString: () => 'socket gone', retry: () => {} }
    a.transport.last().end({ kind: 'network', error })
    await browser.settle()
    expect(b.errors.map((e) => [e.code, e.reason])).toEqual([
      ['connection', { kind: 'network', error: 'socket gone' }],
    ])
    expect(b.client.connection.state).toBe('reconnecting')
    await closeAll(a, b)
  })

  it('connects on its own when the lock manager refuses (an opaque origin)', async () => {
    const tab = browser.tab()
    const refusing: TabsOptions['locks'] = {
      request: () => Promise.reject(new DOMException('opaque origin', 'SecurityError')),
    }
    const throwing: TabsOptions['locks'] = {
      request: () => {
        throw new TypeError('not a lock manager')
      },
    }
    const a = open(tab, { share: { ...browserParts(tab), locks: refusing } })
    const b = open(tab, { share: { ...browserParts(tab), locks: throwing } })
    await browser.settle()
    expect([a.role, b.role]).toEqual(['leader', 'leader'])
    expect([a.transport.connections.length, b.transport.connections.length]).toEqual([1, 1])
    await closeAll(a, b)
  })
})

describe('tabs() where the browser cannot share', () => {
  it('without Web Locks the client connects on its own: role single', () => {
    vi.stubGlobal('navigator', {})
    const tab = browser.tab()
    const a = open(tab, { share: { BroadcastChannel: tab.BroadcastChannel } })
    expect(a.role).toBe('single')
    expect(a.transport.connections).toHaveLength(1)
    expect(browser.channels()).toEqual({})
    a.client.close()
  })

  it('without BroadcastChannel the client connects on its own: role single', () => {
    vi.stubGlobal('BroadcastChannel', undefined)
    const tab = browser.tab()
    const a = open(tab, { share: { locks: tab.locks } })
    expect(a.role).toBe('single')
    expect(a.transport.connections).toHaveLength(1)
    expect(browser.locks()).toEqual({})
    a.client.close()
  })

  it("uses the browser's navigator.locks and BroadcastChannel by default", async () => {
    const tab = browser.tab()
    vi.stubGlobal('navigator', { locks: tab.locks })
    vi.stubGlobal('BroadcastChannel', tab.BroadcastChannel)
    const [a, b] = [open(tab, { share: {} }), open(tab, { share: {} })]
    await browser.settle()
    expect([a.role, b.role]).toEqual(['leader', 'follower'])
    await closeAll(a, b)
  })
})

describe('tabs() options', () => {
  it.each([
    ['options', null, 'tabs: options must be an object'],
    ['name', { name: 7 }, 'tabs: name must be a string, got number'],
    ['locks', { locks: {} }, 'tabs: locks needs a request() method'],
    ['BroadcastChannel', { BroadcastChannel: {} }, 'tabs: BroadcastChannel must be a constructor'],
    ['lifecycle', { lifecycle: { on() {} } }, 'tabs: lifecycle needs a subscribe() method'],
  ])('refuses a bad %s with invalid-option', (_name, options, message) => {
    let thrown: unknown
    try {
      tabs(options as TabsOptions)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(LifelineError)
    expect(thrown).toMatchObject({ code: 'invalid-option', message })
  })
})
