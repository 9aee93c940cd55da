/**
 * Lua scripts: each runs atomically inside Redis, so a batch is applied
 * whole or not at all, and a transaction is validated against other
 * processes' commits and applied in the same step.
 *
 * Per object (one hash tag, so a cluster keeps an object on one node):
 *   {o}:k  sorted set of storage keys, all scored 0 (range scans by bytes)
 *   {o}:v  hash of key -> value bytes
 *   {o}:n  commit counter
 *   {o}:l  the last 1,024 (to 1,088) commits: cmsgpack {version, all, keys}
 * Shared:
 *   <prefix>alarms          sorted set: "<namespace>\0<id>" scored by alarm time
 *   <prefix>objects:<ns>    set of ids holding data or an alarm
 */

/** KEYS: k, v, n, l, alarms, objects. ARGV: member, id, then the batch (see encodeBatch). */
export const COMMIT = `
local k, v, n, l, alarms, objects = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local member, id = ARGV[1], ARGV[2]
local at = 3
local function nextArg() local value = ARGV[at]; at = at + 1; return value end

-- Byte order, whatever locale Redis runs with (Lua's < on strings uses strcoll).
local function before(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local deleteAll = nextArg() == "1"
local deletes = {}
for i = 1, tonumber(nextArg()) do deletes[i] = nextArg() end
local puts = {}
for i = 1, tonumber(nextArg()) * 2 do puts[i] = nextArg() end
local alarmMode = nextArg()
local alarmTime = nextArg()
local hasReadSet = nextArg() == "1"

if hasReadSet then
  local since = tonumber(nextArg())
  local readKeys = {}
  for i = 1, tonumber(nextArg()) do readKeys[nextArg()] = true end
  local ranges = {}
  for i = 1, tonumber(nextArg()) do
    local hasStart, startKey, hasEnd, endKey = nextArg(), nextArg(), nextArg(), nextArg()
    ranges[i] = { hasStart == "1" and startKey or nil, hasEnd == "1" and endKey or nil }
  end
  local current = tonumber(redis.call("GET", n) or "0")
  if current ~= since and (next(readKeys) ~= nil or #ranges > 0) then
    local entries = redis.call("LRANGE", l, 0, -1)
    local oldest = nil
    for _, packed in ipairs(entries) do
      local entry = cmsgpack.unpack(packed)
      if oldest == nil or entry[1] < oldest then oldest = entry[1] end
      if entry[1] > since then
        if entry[2] then return { 0, 0 } end
        for _, key in ipairs(entry[3]) do
          if readKeys[key] then return { 0, 0 } end
          for _, range in ipairs(ranges) do
            if (range[1] == nil or not before(key, range[1])) and (range[2] == nil or before(key, range[2])) then return { 0, 0 } end
          end
        end
      end
    end
    if oldest == nil or oldest > since + 1 then return { 0, 0 } end
  end
end

local written = {}
if deleteAll then
  redis.call("DEL", k, v)
  redis.call("ZREM", alarms, member)
end
local deleted = 0
for _, key in ipairs(deletes) do
  deleted = deleted + redis.call("HDEL", v, key)
  redis.call("ZREM", k, key)
  written[#written + 1] = key
end
for i = 1, #puts, 2 do
  redis.call("ZADD", k, 0, puts[i])
  redis.call("HSET", v, puts[i], puts[i + 1])
  written[#written + 1] = puts[i]
end
if alarmMode == "set" then redis.call("ZADD", alarms, alarmTime, member)
elseif alarmMode == "delete" then redis.call("ZREM", alarms, member) end

if deleteAll or #written > 0 or alarmMode ~= "keep" then
  local version = redis.call("INCR", n)
  redis.call("RPUSH", l, cmsgpack.pack({ version, deleteAll, written }))
  -- Trimmed every 64 commits, not every one: the log holds 1,024 to 1,088 commits.
  if version % 64 == 0 then redis.call("LTRIM", l, -1024, -1) end
end
-- The object registry only changes when the object may have become empty or non-empty.
if #puts > 0 or alarmMode == "set" then
  redis.call("SADD", objects, id)
elseif deleteAll or #deletes > 0 or alarmMode == "delete" then
  if redis.call("ZCARD", k) == 0 and not redis.call("ZSCORE", alarms, member) then redis.call("SREM", objects, id) end
end
return { 1, deleted }
`;

/** KEYS: k, v. ARGV: min, max, reverse ("1"/"0"), limit (-1: none). Returns key, value, key, value... */
export const LIST = `
local k, v = KEYS[1], KEYS[2]
local keys
if ARGV[3] == "1" then
  if tonumber(ARGV[4]) >= 0 then keys = redis.call("ZREVRANGEBYLEX", k, ARGV[2], ARGV[1], "LIMIT", 0, ARGV[4])
  else keys = redis.call("ZREVRANGEBYLEX", k, ARGV[2], ARGV[1]) end
else
  if tonumber(ARGV[4]) >= 0 then keys = redis.call("ZRANGEBYLEX", k, ARGV[1], ARGV[2], "LIMIT", 0, ARGV[4])
  else keys = redis.call("ZRANGEBYLEX", k, ARGV[1], ARGV[2]) end
end
local out = {}
-- HMGET in chunks: unpack() of a long list would overflow Lua's stack.
for first = 1, #keys, 1000 do
  local chunk = {}
  for i = first, math.min(first + 999, #keys) do chunk[#chunk + 1] = keys[i] end
  local values = redis.call("HMGET", v, unpack(chunk))
  for i, key in ipairs(chunk) do
    out[#out + 1] = key
    out[#out + 1] = values[i]
  end
end
return out
`;

/**
 * Alarm claims: `{o}:c` holds the id of the runtime running (or about to
 * retry) the object's alarm, with an expiry that runtime renews; a runtime
 * that dies lets it lapse. KEYS: alarms, claim. ARGV: member, time, owner, ttl.
 * Returns {1, 0}: claimed; {0, ms}: another runtime holds it for ms more;
 * {0, -2}: the alarm is no longer set for that time.
 */
export const CLAIM_ALARM = `
local stored = redis.call("ZSCORE", KEYS[1], ARGV[1])
if not stored or tonumber(stored) ~= tonumber(ARGV[2]) then return { 0, -2 } end
local holder = redis.call("GET", KEYS[2])
if holder and holder ~= ARGV[3] then return { 0, redis.call("PTTL", KEYS[2]) } end
redis.call("SET", KEYS[2], ARGV[3], "PX", ARGV[4])
return { 1, 0 }
`;

/** KEYS: claim. ARGV: owner, ms. Sets the claim's expiry to ms if this owner holds it (ms 0: deletes it). */
export const EXTEND_CLAIM = `
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return redis.call("DEL", KEYS[1])
`;
