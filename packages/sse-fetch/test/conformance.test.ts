import {
  conformanceItems,
  sseConformanceCases,
} from '@lifeline/testkit/contract/sse-conformance-cases'
import { connectRequest } from '@lifeline/testkit/doubles/connect-request'
import { createRecordingSink } from '@lifeline/testkit/doubles/recording-sink'
import { type ChunkServer, startChunkServer } from '@lifeline/testkit/wire/chunk-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sseFetch } from '../src/index'

describe('sse-fetch conforms to the WHATWG event stream parsing rules over a real socket', () => {
  let server: ChunkServer
  beforeAll(async () => {
    server = await startChunkServer((request) => {
      const index = Number(request.path.slice('/case/'.length))
      return { chunks: sseConformanceCases[index]?.chunks ?? [] }
    })
  })
  afterAll(async () => {
    await server.close()
  })

  for (const [index, testCase] of sseConformanceCases.entries()) {
    it(testCase.name, async () => {
      const recording = createRecordingSink()
      sseFetch().open(connectRequest(server.url(`/case/${index}`)), recording.sink)
      expect(await recording.closed()).toEqual({ kind: 'ended' })
      expect(conformanceItems(recording.records)).toEqual(testCase.expected)
    })
  }
})
