import type { RedisLogClient } from './client'

/** A Lua script run with EVALSHA, falling back to EVAL when Redis has not cached it yet. */
export interface Script {
  readonly source: string
  /** The SHA-1 Redis knows the script by, hex; computed on first use with Web Crypto. */
  sha?: string
}

function script(source: string): Script {
  return { source }
}

async function shaOf(script: Script): Promise<string> {
  if (script.sha === undefined) {
    const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(script.source))
    script.sha = Array.from(new Uint8Array(digest), (byte) =>
      byte.toString(16).padStart(2, '0'),
    ).join('')
  }
  return script.sha
}

// KEYS[1] is the stream, KEYS[2] its meta hash { epoch, last }. `last` is the newest id the
// log issued, or 0-1 before the first append. A stream Redis lost while its meta survived
// (or the other way round) is a history that cannot be trusted: it starts a new epoch.
const META = `
local function intact(epoch, last)
  if not epoch or not last then return false end
  return last == '0-1' or redis.call('EXISTS', KEYS[1]) == 1
end
-- The predecessor field of the first entry after id, or nil when none follows it.
local function successorsPredecessor(id)
  local next = redis.call('XRANGE', KEYS[1], '(' .. id, '+', 'COUNT', 1)[1]
  if not next then return nil end
  local fields = next[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'p' then return fields[i + 1] end
  end
  return nil
end
-- Whether id is still a place in the current history: the newest id, or the predecessor
-- of the entry after it. Not so for an id trimmed away, one never issued, or one lost with
-- a tail Redis dropped (a replica promoted before it had the last writes), even once newer
-- entries sort after it: whoever holds it has seen history that is gone.
local function placed(id, last)
  return id == last or successorsPredecessor(id) == id
end
local function current(candidate)
  local meta = redis.call('HMGET', KEYS[2], 'epoch', 'last')
  if intact(meta[1], meta[2]) then return meta[1], meta[2] end
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'epoch', candidate, 'last', '0-1')
  return candidate, '0-1'
end
`

/**
 * ARGV: candidate epoch, maxLen, type, data. Reads or creates the epoch, adds the entry with
 * its predecessor's id (`p`, which tells a trimmed resume point from a current one) and
 * trims approximately, all in one atomic step. Returns { epoch, id }.
 */
export const APPEND = script(`${META}
local epoch, prev = current(ARGV[1])
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*',
  'e', epoch, 'p', prev, 't', ARGV[3], 'd', ARGV[4])
redis.call('HSET', KEYS[2], 'last', id)
return { epoch, id }
`)

/** ARGV: candidate epoch. Returns { epoch, newest id or 0-1 }, creating the epoch if needed. */
export const NEWEST = script(`${META}
local epoch, last = current(ARGV[1])
return { epoch, last }
`)

/**
 * ARGV: epoch, entry id, limit. Returns nil when the id cannot be placed (another epoch,
 * never issued, trimmed, or lost with a dropped tail), else
 * { entries after it (at most limit), newest id }.
 */
export const READ = script(`${META}
local meta = redis.call('HMGET', KEYS[2], 'epoch', 'last')
local epoch, last = meta[1], meta[2]
if not intact(epoch, last) or epoch ~= ARGV[1] or not placed(ARGV[2], last) then return nil end
if tonumber(ARGV[3]) < 1 or ARGV[2] == last then return { {}, last } end
return { redis.call('XRANGE', KEYS[1], '(' .. ARGV[2], '+', 'COUNT', ARGV[3]), last }
`)

/**
 * Where a live loop goes on after it lost its connection or met another epoch. ARGV: its
 * epoch ('' for none), then ids it delivered, newest first (the first is where it stands).
 * Returns { epoch, position }. With no intact history the epoch is '' and the position the
 * newest raw id, so entries of a stream whose meta is gone are not read as new. Otherwise
 * the position is the newest delivered id still placed in that epoch (no loss when it is
 * the first); failing that the newest entry at or before where the loop stood (a tail
 * dropped beyond the ids given), or the predecessor of the oldest entry (trimmed while the
 * loop was away, or a new epoch).
 */
export const RESUME = script(`${META}
local meta = redis.call('HMGET', KEYS[2], 'epoch', 'last')
local epoch, last = meta[1], meta[2]
if not intact(epoch, last) then
  local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
  return { '', top and top[1] or '0-0' }
end
if epoch == ARGV[1] then
  for i = 2, #ARGV do
    if placed(ARGV[i], last) then return { epoch, ARGV[i] } end
  end
  local at = redis.call('XREVRANGE', KEYS[1], ARGV[2], '-', 'COUNT', 1)[1]
  if at then return { epoch, at[1] } end
end
return { epoch, successorsPredecessor('0-0') or last }
`)

/**
 * Where a live loop starts: { epoch, newest id or 0-1 }, or with no intact history
 * { '', newest raw id or 0-0 }. Creates nothing.
 */
export const HEAD = script(`${META}
local meta = redis.call('HMGET', KEYS[2], 'epoch', 'last')
if not intact(meta[1], meta[2]) then
  local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
  return { '', top and top[1] or '0-0' }
end
return { meta[1], meta[2] }
`)

/** Returns nil on an empty or lost stream, else { epoch, oldest entry id }. */
export const OLDEST = script(`${META}
local meta = redis.call('HMGET', KEYS[2], 'epoch', 'last')
if not intact(meta[1], meta[2]) then return nil end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if not first then return nil end
return { meta[1], first[1] }
`)

/** Runs `script` on `keys` and `args`; one round trip once Redis has the script cached. */
export async function runScript(
  client: Pick<RedisLogClient, 'sendCommand'>,
  script: Script,
  keys: readonly string[],
  args: readonly string[],
  timeout: number,
): Promise<unknown> {
  const options = { timeout, typeMapping: {} }
  const tail = [String(keys.length), ...keys, ...args]
  const sha = script.sha ?? (await shaOf(script))
  try {
    return await client.sendCommand(['EVALSHA', sha, ...tail], options)
  } catch (error) {
    // A restarted or flushed Redis has lost its script cache; EVAL caches it again.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
    return client.sendCommand(['EVAL', script.source, ...tail], options)
  }
}
