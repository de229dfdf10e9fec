import type { Send } from './link'

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

// KEYS[1] is the stream, KEYS[2] its meta hash { epoch, last }, KEYS[3] the sorted set of its
// idempotency keys (member: key, score: the ms part of its entry's id). `last` is the newest
// id the log issued, or 0-1 before the first append. A stream Redis lost while its meta
// survived (or the other way round) is a history that cannot be trusted: it starts a new epoch.
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
  redis.call('DEL', KEYS[1], KEYS[3])
  redis.call('HSET', KEYS[2], 'epoch', candidate, 'last', '0-1')
  return candidate, '0-1'
end
local function field(entry, name)
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == name then return fields[i + 1] end
  end
  return nil
end
local function msOf(id)
  return string.match(id, '^(%d+)-')
end
`

/**
 * ARGV: candidate epoch, maxLen, type, data, idempotency key ('' for none). Reads or creates
 * the epoch; an entry the stream still holds under the same key is the answer, and nothing
 * is stored. Otherwise adds the entry with its predecessor's id (`p`, which tells a trimmed
 * resume point from a current one), trims approximately, forgets the keys of trimmed entries
 * and wakes the live loops of every instance (SPUBLISH on the stream's own key, so the
 * message stays in the stream's shard of a cluster), all in one atomic step.
 * Returns { epoch, id, type, data }.
 */
export const APPEND = script(`${META}
local epoch, prev = current(ARGV[1])
local key = ARGV[5]
if key ~= '' then
  local ms = redis.call('ZSCORE', KEYS[3], key)
  if ms then
    local upper = ms .. '-18446744073709551615'
    for _, entry in ipairs(redis.call('XRANGE', KEYS[1], ms .. '-0', upper)) do
      if field(entry, 'k') == key then
        return { epoch, entry[1], field(entry, 't') or 'message', field(entry, 'd') or '' }
      end
    end
  end
end
local fields = { 'e', epoch, 'p', prev, 't', ARGV[3], 'd', ARGV[4] }
if key ~= '' then
  table.insert(fields, 'k')
  table.insert(fields, key)
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
redis.call('HSET', KEYS[2], 'last', id)
if key ~= '' then redis.call('ZADD', KEYS[3], msOf(id), key) end
if redis.call('EXISTS', KEYS[3]) == 1 then
  -- Keys of entries in the oldest kept millisecond stay a little longer; a hit is checked
  -- against the stream above, so a stale key only costs the scan.
  local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. msOf(oldest[1]))
end
redis.call('SPUBLISH', KEYS[1], epoch .. ':' .. id)
return { epoch, id, ARGV[3], ARGV[4] }
`)

/** ARGV: candidate epoch. Returns { epoch, newest id or 0-1 }, creating the epoch if needed. */
export const NEWEST = script(`${META}
local epoch, last = current(ARGV[1])
return { epoch, last }
`)

/**
 * ARGV: candidate epoch, limit. Returns { epoch, the newest `limit` entries oldest first,
 * newest id or 0-1 }, creating the epoch if needed.
 */
export const TAIL = script(`${META}
local epoch, last = current(ARGV[1])
local entries = {}
if tonumber(ARGV[2]) < 1 then return { epoch, entries, last } end
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[2])
for i = #newest, 1, -1 do table.insert(entries, newest[i]) end
return { epoch, entries, last }
`)

/**
 * ARGV: epoch, entry id, limit, candidate epoch. Returns nil when the id cannot be placed in
 * its epoch (never issued, trimmed, or lost with a dropped tail); { 'lost', epoch, entries,
 * newest id } when it is from another epoch, or the history is gone (then a new epoch
 * starts), with the newest `limit` entries of the current history; else { 'entries', entries
 * after it (at most limit), newest id }.
 */
export const READ = script(`${META}
local epoch, last = current(ARGV[4])
if epoch ~= ARGV[1] then
  local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[3])
  local entries = {}
  for i = #newest, 1, -1 do table.insert(entries, newest[i]) end
  return { 'lost', epoch, entries, last }
end
if not placed(ARGV[2], last) then return nil end
if tonumber(ARGV[3]) < 1 or ARGV[2] == last then return { 'entries', {}, last } end
return { 'entries', redis.call('XRANGE', KEYS[1], '(' .. ARGV[2], '+', 'COUNT', ARGV[3]), last }
`)

/**
 * Where a live loop goes on after it lost its connection, met another epoch or an entry
 * that does not follow the last one it delivered. ARGV: a candidate epoch, the loop's epoch
 * ('' for none), then ids it delivered, newest first (the first is where it stands).
 * Returns { epoch, position }. With no intact history a new epoch starts at once (so the loss
 * is known before the first new entry) and the position is 0-1. Otherwise the position is
 * the newest delivered id still placed in that epoch (no loss when it is the first); failing
 * that the newest entry at or before where the loop stood (a tail dropped beyond the ids
 * given), or the predecessor of the oldest entry (trimmed while the loop was away, or another
 * epoch).
 */
export const RESUME = script(`${META}
local epoch, last = current(ARGV[1])
if epoch == ARGV[2] then
  for i = 3, #ARGV do
    if placed(ARGV[i], last) then return { epoch, ARGV[i] } end
  end
  local at = redis.call('XREVRANGE', KEYS[1], ARGV[3], '-', 'COUNT', 1)[1]
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

/**
 * Runs `script` on the three keys of one stream and `args`; one round trip once Redis has the
 * script cached.
 */
export async function runScript(
  send: Send,
  script: Script,
  keys: readonly [string, string, string],
  args: readonly string[],
  timeout: number,
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args]
  const sha = script.sha ?? (await shaOf(script))
  try {
    return await send(keys[0], ['EVALSHA', sha, ...tail], timeout)
  } catch (error) {
    // A restarted or flushed Redis has lost its script cache; EVAL caches it again.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
    return send(keys[0], ['EVAL', script.source, ...tail], timeout)
  }
}
