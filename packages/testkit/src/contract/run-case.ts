import type { Transport } from '@lifeline/core'
import { connectRequest } from '../doubles/connect-request'
import { createRecordingSink, type SinkRecord } from '../doubles/recording-sink'
import { DEFAULT_WAIT_MS, within } from '../wait'
import type { ContractCase, MountedScenario } from './cases'

/**
 * Runs one contract case's client side: opens `transport` on the mounted scenario with a
 * recording sink, aborts when the case says, and resolves with every sink call once
 * `closed()` came. The records stay live: check them again later to catch a stray call
 * after `closed()`. Browser-safe, so a browser runner can call it inside a page.
 *
 * @example
 * ```ts
 * const mounted = await server.mount(testCase.scenario)
 * const records = await runContractCase(testCase, sseFetch(), mounted)
 * expect(contractRecords(records)).toEqual(testCase.records)
 * ```
 */
export async function runContractCase(
  testCase: ContractCase,
  transport: Transport,
  mounted: Pick<MountedScenario, 'url' | 'requested'>,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<readonly SinkRecord[]> {
  const recording = createRecordingSink()
  const request = connectRequest(mounted.url, {
    lastEventId: testCase.request?.lastEventId,
    ...(testCase.request?.maxMessageBytes === undefined
      ? {}
      : { maxMessageBytes: testCase.request.maxMessageBytes }),
  })
  const abort = testCase.abort
  if (abort?.when === 'before') request.controller.abort()
  const connection = transport.open(request, recording.sink)
  if (abort !== undefined && abort.when !== 'before') {
    if (abort.when === 'requested') await within(mounted.requested(), 'the request', { timeoutMs })
    else await recording.waitFor(abort.when === 'opened' ? 'opened' : 'event', timeoutMs)
    if (abort.via === 'signal') request.controller.abort()
    else connection.close()
  }
  await recording.waitFor('closed', timeoutMs)
  // Closing again, both ways, must not report a second closed().
  connection.close()
  request.controller.abort()
  return recording.records
}
