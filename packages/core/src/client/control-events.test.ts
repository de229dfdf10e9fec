import { describe, expect, it } from 'vitest'
import { parseCloseData } from './control-events'

describe('parseCloseData', () => {
  it.each([
    ['Connection closed', true, undefined],
    ['', true, undefined],
    ['{"reconnect":false}', false, undefined],
    ['{"reconnect":true,"retry":1000}', true, 1000],
    ['{"retry":-5}', true, undefined],
    ['{"retry":"soon"}', true, undefined],
    ['{not json', true, undefined],
  ])('%j → reconnect %s, retry %s', (data, reconnect, retry) => {
    expect(parseCloseData(data)).toEqual({ reconnect, retry })
  })
})
