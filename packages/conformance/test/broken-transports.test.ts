import type { Transport } from '@lifeline/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { transportContractCases } from '../src/contract/contract-cases'
import { startContractServer } from '../src/contract/contract-server'
import { contractRecords, contractViolations } from '../src/contract/records'
import { runContractCase } from '../src/contract/run-case'
import type { ContractServer } from '../src/contract/types'

// The suite is only worth running if it fails a transport that breaks the contract.
const caseNamed = (name: string) => {
  const found = transportContractCases.find((c) => c.name === name)
  if (found === undefined) throw new Error(`no case "${name}"`)
  return found
}

/** An SSE transport on fetch, breaking the contract as told. */
const sse = (breaks: {
  activity?: boolean
  closeTwice?: boolean
  release?: boolean
}): Transport => ({
  name: 'broken',
  open(request, sink) {
    const controller = new AbortController()
    let closed = false
    const close = (reason: Parameters<typeof sink.closed>[0]) => {
      if (closed && breaks.closeTwice !== true) return
      closed = true
      sink.closed(reason)
    }
    void (async () => {
      const response = await fetch(
        request.url,
        breaks.release === false ? {} : { signal: controller.signal },
      )
      sink.opened()
      const text = await response.text()
      if (breaks.activity !== false) sink.activity()
      for (const block of text.split('\n\n')) {
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (data !== undefined) sink.event({ type: 'message', data })
      }
      close({ kind: 'ended' })
    })().catch((error: unknown) => close({ kind: 'network', error }))
    return {
      close: () => {
        controller.abort()
        close({ kind: 'aborted' })
      },
    }
  },
})

describe('the contract fails a transport that breaks it', () => {
  let server: ContractServer
  beforeAll(async () => {
    server = await startContractServer()
  })
  afterAll(() => server.close())

  const delivers = caseNamed('delivers events with their types and ids, then reports ended')

  it('an event before activity() is a violation', async () => {
    const records = await runContractCase(
      delivers,
      sse({ activity: false }),
      await server.mount(delivers.scenario),
    )
    expect(contractViolations(records)).toContain(
      'an event, id or retry came before any activity()',
    )
  })

  it('a transport that drops the event type and id records the wrong calls', async () => {
    const records = await runContractCase(delivers, sse({}), await server.mount(delivers.scenario))
    expect(contractRecords(records)).not.toEqual(delivers.records)
  })

  it('a second closed() on close() is a violation', async () => {
    const records = await runContractCase(
      delivers,
      sse({ closeTwice: true }),
      await server.mount(delivers.scenario),
    )
    expect(contractViolations(records)).toEqual(['expected one closed(), got 2'])
  })

  it('a transport that never releases its request is caught by the drain', async () => {
    const silent = caseNamed('close() while connecting closes with aborted, never opening')
    const mounted = await server.mount(silent.scenario)
    const records = await runContractCase(silent, sse({ release: false }), mounted)
    expect(contractRecords(records)).toEqual(silent.records)
    await expect(server.drained(200)).rejects.toThrow('1 still open')
  })
})
