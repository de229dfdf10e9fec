import type { ShareGroup, ShareMember } from '@lifeline/core'
import { openChannel, type TabsMessage } from './channel'
import { createElection } from './election'
import type { BroadcastChannelConstructor, LockManagerLike } from './options'
import type { PageLifecycle } from './page-lifecycle'

/** Where one share lives: its lock and channel name, and the browser parts to use. */
export interface MembershipEnvironment {
  /** The lock's and the channel's name: the same for every client of the share. */
  key: string
  locks: LockManagerLike
  BroadcastChannel: BroadcastChannelConstructor
  lifecycle: PageLifecycle
}

/**
 * Where one client stands in its share: `candidate` while its lock request waits, `leading`
 * while it holds the lock, `away` while its page is frozen or hidden (it asks for nothing).
 */
type Standing = 'candidate' | 'leading' | 'away'

/**
 * Joins `member` to the share of `environment.key` in this browser: it stands for the
 * lock, follows what the leader relays until it wins, then leads until it leaves or its
 * page stops; the page's return makes it a candidate again.
 */
export function joinTabs(member: ShareMember, environment: MembershipEnvironment): ShareGroup {
  let standing: Standing = 'candidate'
  const snapshot = () => channel.post({ type: 'snapshot', payload: member.snapshot() })

  const lead = () => {
    standing = 'leading'
    member.lead()
    // The followers mirror this connection from now on, whatever the last leader used.
    snapshot()
  }
  const election = createElection(environment.locks, environment.key, {
    won: lead,
    // Without a working lock manager no one can be elected: this client connects itself,
    // as it would without sharing, rather than wait for ever.
    refused: lead,
  })

  const receive = (message: TabsMessage) => {
    if (message.type === 'hello') {
      if (standing === 'leading') snapshot()
    } else member.receive(message)
  }
  const channel = openChannel(environment.BroadcastChannel, environment.key, receive)

  const unsubscribe = environment.lifecycle.subscribe((signal) => {
    if (signal === 'freeze') {
      // A frozen page cannot lead, nor take the lock when its turn comes: it steps aside so
      // that a running tab leads. What is relayed meanwhile reaches it when it runs again.
      if (standing === 'leading') member.follow()
      standing = 'away'
      election.withdraw()
    } else if (standing === 'away') {
      standing = 'candidate'
      election.stand()
    }
  })

  channel.post({ type: 'hello' })
  election.stand()

  return {
    relay: (message) => channel.post(message),
    leave() {
      unsubscribe()
      election.withdraw()
      channel.close()
    },
  }
}
