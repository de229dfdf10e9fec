import { describe, expect, it } from 'vitest'
import { corsHeaders, preflightHeaders } from './cors'

describe('cors', () => {
  it('sends no CORS header without the option (same-origin only)', () => {
    expect(corsHeaders(undefined, 'https://app.example.com')).toEqual({})
    expect(preflightHeaders(undefined, 'https://app.example.com')).toEqual({})
  })

  it('echoes an allowed origin exactly, with Vary, never *', () => {
    const cors = { origins: ['https://app.example.com'] }
    expect(corsHeaders(cors, 'https://app.example.com')).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      vary: 'Origin',
    })
  })

  it('adds credentials only when asked', () => {
    const headers = corsHeaders({ origins: () => true, credentials: true }, 'https://x.com')
    expect(headers['access-control-allow-credentials']).toBe('true')
    expect(headers['access-control-allow-origin']).toBe('https://x.com')
  })

  it('allows nothing for an origin not on the list, but still varies on Origin', () => {
    expect(corsHeaders({ origins: ['https://a.com'] }, 'https://b.com')).toEqual({ vary: 'Origin' })
    expect(corsHeaders({ origins: ['https://a.com'] }, null)).toEqual({ vary: 'Origin' })
  })

  it('answers preflights for the resume point, auth and content type', () => {
    expect(preflightHeaders({ origins: ['https://a.com'] }, 'https://a.com')).toEqual({
      'access-control-allow-origin': 'https://a.com',
      'access-control-allow-methods': 'GET, OPTIONS',
      'access-control-allow-headers': 'last-event-id, authorization, content-type, cache-control',
      'access-control-max-age': '86400',
      vary: 'Origin',
    })
  })

  it.each(['*', 'null', 'http://a.com/path', 'http://a.com, http://b.com', '', 'http://*'])(
    'never echoes %j with credentials, even to a predicate that allows everything',
    (origin) => {
      const cors = { origins: () => true, credentials: true }
      expect(corsHeaders(cors, origin)).toEqual({ vary: 'Origin' })
      expect(preflightHeaders(cors, origin)).toEqual({ vary: 'Origin' })
    },
  )

  it('echoes null (sandboxed frames, file: pages) only without credentials, and never *', () => {
    expect(corsHeaders({ origins: ['null'] }, 'null')).toEqual({
      'access-control-allow-origin': 'null',
      vary: 'Origin',
    })
    expect(corsHeaders({ origins: ['*'] }, '*')).toEqual({ vary: 'Origin' })
  })

  it('echoes the origins of app webviews like any other', () => {
    expect(corsHeaders({ origins: ['capacitor://localhost'] }, 'capacitor://localhost')).toEqual({
      'access-control-allow-origin': 'capacitor://localhost',
      vary: 'Origin',
    })
  })
})
