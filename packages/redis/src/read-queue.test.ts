import { describe, expect, it } from 'vitest'
import { createReadQueue } from './read-queue'

/** A queue of named reads that finish when the test says. */
function recordingQueue(slots: number) {
  const started: string[] = []
  const finish = new Map<string, () => void>()
  const queue = createReadQueue(slots, (item: string) => {
    started.push(item)
    return new Promise<void>((resolve) => finish.set(item, resolve))
  })
  const done = async (item: string) => {
    finish.get(item)?.()
    // The slot frees once the read's promise has settled.
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  return { queue, started, done }
}

describe('createReadQueue', () => {
  it('runs at most `slots` reads at once, urgent ones before background ones', async () => {
    const { queue, started, done } = recordingQueue(2)
    for (const item of ['b1', 'b2', 'b3']) queue.add(item, 'background')
    queue.add('u1', 'urgent')
    queue.add('u2', 'urgent')
    expect(started).toEqual(['b1', 'b2'])
    await done('b1')
    await done('b2')
    expect(started).toEqual(['b1', 'b2', 'u1', 'u2'])
    await done('u1')
    expect(started).toEqual(['b1', 'b2', 'u1', 'u2', 'b3'])
  })

  it('queues an item once, moves a background one ahead when it turns urgent, and forgets deleted ones', async () => {
    const { queue, started, done } = recordingQueue(1)
    queue.add('first', 'urgent')
    queue.add('b', 'background')
    queue.add('c', 'background')
    queue.add('c', 'background')
    queue.add('c', 'urgent')
    queue.add('gone', 'urgent')
    queue.delete('gone')
    await done('first')
    await done('c')
    await done('b')
    expect(started).toEqual(['first', 'c', 'b'])
    queue.add('busy', 'urgent')
    queue.add('x', 'background')
    queue.clear()
    await done('busy')
    expect(started).toEqual(['first', 'c', 'b', 'busy'])
  })
})
