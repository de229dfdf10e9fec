import type { ConnectRequest, Transport } from '@lifeline/core'
import { createRecordingSink, type SinkRecord } from '../doubles/recording-sink'
import type { ContractCase, MountedScenario } from './cases'

/** The client's default message limit, used when a case sets none. */
const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576

function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not arrive in ${timeoutMs} ms`)),
      timeoutMs,
    )
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

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
  timeoutMs = 5_000,
): Promise<readonly SinkRecord[]> {
  const recording = createRecordingSink()
  const controller = new AbortController()
  const abort = testCase.abort
  if (abort?.when === 'before') controller.abort()
  const request: ConnectRequest = {
    url: new URL(mounted.url),
    headers: new Headers(),
    lastEventId: testCase.request?.lastEventId,
    maxMessageBytes: testCase.request?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    signal: controller.signal,
  }
  const connection = transport.open(request, recording.sink)
  if (abort !== undefined && abort.when !== 'before') {
    if (abort.when === 'requested') await within(mounted.requested(), timeoutMs, 'the request')
    else
      await recording.waitFor(
        (r) => r.call === (abort.when === 'opened' ? 'opened' : 'event'),
        timeoutMs,
      )
    if (abort.via === 'signal') controller.abort()
    else connection.close()
  }
  await recording.waitFor((r) => r.call === 'closed', timeoutMs)
  // Closing again, both ways, must not report a second closed().
  connection.close()
  controller.abort()
  return recording.records
}
