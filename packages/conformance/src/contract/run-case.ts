import type { ConnectRequest, Transport } from '@lifeline/core'
import { DEFAULT_WAIT_MS, within } from '../wait'
import { createRecorder } from './recorder'
import type { ContractCase, MountedScenario, SinkRecord } from './types'

/**
 * Runs one contract case's client side: opens `transport` on the mounted scenario with a
 * recording sink, aborts when the case says, and resolves with every sink call once
 * `closed()` came. The records stay live: check them again later (after the server
 * drained) to catch a stray call after `closed()`. Browser-safe, so a runner can call it
 * inside a page while the server side runs in Node.
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
  const recorder = createRecorder()
  const controller = new AbortController()
  // As the client builds it with its defaults: no headers, 1 MiB messages, 10 s timeouts.
  const request: ConnectRequest = {
    url: new URL(mounted.url),
    headers: new Headers(),
    lastEventId: testCase.request?.lastEventId,
    maxMessageBytes: testCase.request?.maxMessageBytes ?? 1_048_576,
    timeouts: { connect: 10_000, firstByte: 10_000 },
    signal: controller.signal,
  }
  const abort = testCase.abort
  if (abort?.when === 'before') controller.abort()
  const connection = transport.open(request, recorder.sink)
  if (abort !== undefined && abort.when !== 'before') {
    if (abort.when === 'requested') await within(mounted.requested(), 'the request', timeoutMs)
    else await recorder.waitFor(abort.when === 'opened' ? 'opened' : 'event', timeoutMs)
    if (abort.via === 'signal') controller.abort()
    else connection.close()
  }
  await recorder.waitFor('closed', timeoutMs)
  // Closing again, both ways, must not report a second closed().
  connection.close()
  controller.abort()
  return recorder.records
}
