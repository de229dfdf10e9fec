import { scriptedTransport } from '@lifeline/testkit/doubles/scripted-transport'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  type Client,
  type ConnectionEvents,
  createClient,
  type ShareMember,
  type ShareOption,
  type StreamEvent,
} from '../src/index'

const url = 'http://127.0.0.1:1/events'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/**
 * A share in one process: the first member leads, relays reach every other member, and
 * when the leader leaves the next one leads. What `@lifeline/tabs` does across tabs, with
 * structured cloning standing in for the BroadcastChannel.
 */
function memoryShare(
  options: { electInsideJoin?: boolean; snapshotLater?: boolean } = {},
): ShareOption & {
  members: ShareMember[]
} {
  const members: ShareMember[] = []
  let leader: ShareMember | undefined
  const electNext = () => {
    leader = members[0]
    leader?.lead()
  }
  return {
    members,
    join(member) {
      members.push(member)
      if (leader === undefined) {
        if (options.electInsideJoin) {
          leader = member
          member.lead()
        } else queueMicrotask(electNext)
      } else {
        const current = leader
        const answer = () =>
          member.receive({ type: 'snapshot', payload: structuredClone(current.snapshot()) })
        // A real channel answers a newcomer's hello a task later.
        if (options.snapshotLater) queueMicrotask(answer)
        else answer()
      }
      return {
        relay(message) {
          for (const other of members) if (other !== member) other.receive(structuredClone(message))
        },
        leave() {
          members.splice(members.indexOf(member), 1)
          if (leader === member) electNext()
        },
      }
    },
  }
}

function tab(
  share: ShareOption,
  options: { connect?: boolean; lastEventId?: string } = {},
  transport = scriptedTransport('sse'),
) {
  const client = createClient({
    url,
    transports: [transport],
    share,
    environment: { random: () => 0 },
    ...options,
  })
  const events: StreamEvent[] = []
  const roles: ConnectionEvents['role'][] = []
  const gaps: ConnectionEvents['gap'][] = []
  const states: string[] = []
  client.on('*', (_type, event) => events.push(event))
  client.connection.on('role', (role) => roles.push(role))
  client.connection.on('gap', (gap) => gaps.push(gap))
  client.connection.on('state', ({ from, to }) => states.push(`${from}>${to}`))
  return {
    client,
    transport,
    events,
    roles,
    gaps,
    states,
    ids: () => events.map((event) => event.id),
  }
}

const settle = () => vi.advanceTimersByTimeAsync(0)

describe('share (Wave 2: one connection per browser)', () => {
  it('opens one connection for the group; followers see every event once and mirror the leader', async () => {
    const share = memoryShare()
    const a = tab(share)
    const b = tab(share)
    expect([a.client.connection.role, b.client.connection.role]).toEqual(['follower', 'follower'])
    await settle()
    expect([a.client.connection.role, b.client.connection.role]).toEqual(['leader', 'follower'])
    expect(a.roles).toEqual([{ from: 'follower', to: 'leader' }])
    expect(b.transport.connections).toHaveLength(0)
    a.transport.last().accept().send({ id: '1', data: 'x' }).position('2').send({ id: '3' })
    expect(b.ids()).toEqual(['1', '3'])
    expect(b.events[0]).toEqual(a.events[0])
    expect(b.client.connection).toMatchObject({ state: 'open', transport: 'sse', lastEventId: '3' })
    a.client.close()
    b.client.close()
  })

  it('a newcomer mirrors the leader at once, then follows its events', async () => {
    const share = memoryShare()
    const a = tab(share)
    await settle()
    a.transport.last().accept().send({ id: '7' })
    const b = tab(share)
    expect(b.client.connection).toMatchObject({ state: 'open', lastEventId: '7', role: 'follower' })
    a.transport.last().send({ id: '8' })
    expect(b.ids()).toEqual(['8'])
    a.client.close()
    b.client.close()
  })

  it('when the leader leaves, the next client leads from the last relayed point: nothing lost, nothing twice', async () => {
    const share = memoryShare()
    const a = tab(share)
    const b = tab(share)
    await settle()
    a.transport.last().accept().send({ id: '1' }).send({ id: '2' })
    a.client.close()
    expect(b.client.connection.role).toBe('leader')
    expect(b.roles).toEqual([{ from: 'follower', to: 'leader' }])
    // It resumes where the old leader was; a replay overlapping what it saw is dropped.
    expect(b.transport.last().request.lastEventId).toBe('2')
    b.transport.last().accept().send({ id: '2' }).send({ id: '3' })
    expect(b.ids()).toEqual(['1', '2', '3'])
    b.client.close()
  })

  it('relays gaps, and a follower drops its resume point with the leader', async () => {
    const share = memoryShare()
    const a = tab(share)
    const b = tab(share)
    await settle()
    a.transport.last().accept().send({ id: '1' }).send({ type: 'reset', data: '' }).position('9')
    expect(b.gaps).toEqual([{ lastEventId: '1', reason: { kind: 'reset' } }])
    expect(b.client.connection.lastEventId).toBe('9')
    a.client.close()
    b.client.close()
  })

  it('a snapshot that comes later tells the app the state it brings, and a follower closes to closed', async () => {
    const share = memoryShare({ snapshotLater: true })
    const a = tab(share)
    await settle()
    a.transport.last().accept().send({ id: '1' })
    const b = tab(share)
    expect(b.client.connection.state).toBe('connecting')
    await settle()
    expect(b.client.connection.state).toBe('open')
    b.client.close()
    expect(b.client.connection).toMatchObject({ state: 'closed', role: 'single' })
    expect(b.states).toEqual(['connecting>open', 'open>closed'])
    expect(b.roles).toEqual([{ from: 'follower', to: 'single' }])
    // The leader is untouched by a follower leaving.
    expect(a.client.connection).toMatchObject({ state: 'open', role: 'leader' })
    a.client.close()
  })

  it('a follower whose own point the leader is past is told of the gap; at the same point it is not', async () => {
    const share = memoryShare()
    const a = tab(share)
    await settle()
    a.transport.last().accept().send({ id: '8' })
    const behind = tab(share, { connect: false, lastEventId: '3' })
    const level = tab(share, { connect: false, lastEventId: '8' })
    behind.client.connect()
    level.client.connect()
    expect(behind.gaps).toEqual([{ lastEventId: '3', reason: { kind: 'reset' } }])
    expect(behind.client.connection).toMatchObject({ lastEventId: '8', state: 'open' })
    expect(behind.client.connection.diagnostics().gaps).toBe(1)
    expect(level.gaps).toEqual([])
    for (const t of [a, behind, level]) t.client.close()
  })

  it('a client created with connect: false joins only on connect(), and never after close()', async () => {
    const share = memoryShare()
    const idle = tab(share, { connect: false })
    await settle()
    expect(share.members).toHaveLength(0)
    expect(idle.client.connection).toMatchObject({ role: 'single', state: 'idle' })
    const b = tab(share)
    await settle()
    // The client that connected leads; the idle one holds nothing.
    expect(b.client.connection.role).toBe('leader')
    expect(b.transport.connections).toHaveLength(1)
    idle.client.connect()
    expect(share.members).toHaveLength(2)
    expect(idle.client.connection.role).toBe('follower')
    expect(idle.roles).toEqual([{ from: 'single', to: 'follower' }])
    idle.client.close()
    idle.client.connect()
    expect(share.members).toHaveLength(1)
    expect(idle.client.connection.state).toBe('closed')
    b.client.close()
  })

  it("relays the leader's connection errors", async () => {
    const share = memoryShare()
    const a = tab(share)
    const b = tab(share)
    const errors: [string, unknown][] = []
    b.client.connection.on('error', (error) => errors.push([error.code, error.reason]))
    await settle()
    a.transport.last().end({ kind: 'http', status: 502 })
    expect(errors).toEqual([['connection', { kind: 'http', status: 502 }]])
    expect(b.client.connection.state).toBe('reconnecting')
    a.client.close()
    b.client.close()
  })

  it('a leader elected inside join connects at once, with no role event', () => {
    const a = tab(memoryShare({ electInsideJoin: true }))
    expect(a.client.connection.role).toBe('leader')
    expect(a.transport.connections).toHaveLength(1)
    expect(a.roles).toEqual([])
    a.client.close()
  })

  it('a leader that is told to follow lets its connection go', async () => {
    const share = memoryShare()
    const a = tab(share)
    await settle()
    a.transport.last().accept().send({ id: '1' })
    share.members[0]?.follow()
    expect(a.client.connection.role).toBe('follower')
    expect(a.transport.live()).toHaveLength(0)
    expect(vi.getTimerCount()).toBe(0)
    a.client.close()
  })

  it('without share, or where the plug-in cannot share, a client is single', () => {
    const plain: Client = createClient({ url, transports: [scriptedTransport()] })
    expect(plain.connection.role).toBe('single')
    plain.close()
    const transport = scriptedTransport()
    const unsupported = createClient({
      url,
      transports: [transport],
      share: { join: () => undefined },
    })
    expect(unsupported.connection.role).toBe('single')
    expect(transport.connections).toHaveLength(1)
    unsupported.close()
  })
})
