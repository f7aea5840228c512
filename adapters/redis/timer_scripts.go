package redis

import goredis "github.com/redis/go-redis/v9"

// The timer scripts all take one shard's two keys, which share the shard's
// hash tag and so one Redis Cluster slot:
//
//	KEYS[1] due sorted set: member → due time, or lease expiry while
//	            claimed (unix ms)
//	KEYS[2] pay hash: member → record
//
// A member is the 14-byte digest of the timer id. A record is "p" followed
// by the timer id (length-prefixed) and payload while the timer waits; the
// first claim rewrites it to "l" <due> "|" <the same bytes after "p">, so a
// claim after a lapsed lease still reports the first due time (see
// timer_record.go). Times are integral unix milliseconds, formatted with
// %.0f so no precision is lost to Lua's number-to-string conversion.
//
// Commands take many members at once (in chunks that stay well inside Lua's
// unpack limit): one ZADD or HMGET for a whole batch costs far less than a
// call per timer.

// timerLua holds the helpers every timer script starts with.
const timerLua = `
local CHUNK = 1000
-- each calls cmd on key with args[i..] in chunks of CHUNK (an even number,
-- so pairs stay whole) and returns the replies concatenated.
local function each(cmd, key, args)
  local n = #args
  if n <= CHUNK then return redis.call(cmd, key, unpack(args)) end
  local out, k = {}, 0
  for i = 1, n, CHUNK do
    local r = redis.call(cmd, key, unpack(args, i, math.min(i + CHUNK - 1, n)))
    if type(r) == 'table' then
      for j = 1, #r do k = k + 1; out[k] = r[j] end
    end
  end
  return out
end
-- firstDue returns the due time a leased record remembers, or nil when the
-- record is not leased or is malformed.
local function firstDue(rec)
  if string.byte(rec, 1) ~= 108 then return nil end -- 'l'
  local sep = string.find(rec, '|', 2, true)
  if not sep then return nil end
  return string.sub(rec, 2, sep - 1)
end
`

// scheduleScript upserts timers. The record is rewritten as waiting, so a
// lease in flight is forgotten and the ack of that older claim will not
// remove the rescheduled timer.
//
// KEYS: due, pay of one shard.
// ARGV: repeated triples member, due (unix ms), record ("p" form).
// Reply: the number of timers written.
var scheduleScript = goredis.NewScript(timerLua + `
local z, h, k = {}, {}, 0
for i = 1, #ARGV, 3 do
  z[k + 1] = ARGV[i + 1]
  z[k + 2] = ARGV[i]
  h[k + 1] = ARGV[i]
  h[k + 2] = ARGV[i + 2]
  k = k + 2
end
each('ZADD', KEYS[1], z)
each('HSET', KEYS[2], h)
return #ARGV / 3
`)

// cancelScript removes timers, in flight or not.
//
// KEYS: due, pay of one shard.
// ARGV: members.
// Reply: the number of timers that existed.
var cancelScript = goredis.NewScript(timerLua + `
local n = 0
for i = 1, #ARGV, CHUNK do
  local part = {unpack(ARGV, i, math.min(i + CHUNK - 1, #ARGV))}
  n = n + redis.call('ZREM', KEYS[1], unpack(part))
  redis.call('HDEL', KEYS[2], unpack(part))
end
return n
`)

// claimScript leases up to max due timers of a shard, earliest first: each
// is re-scored to now+lease, so no other claim sees it until the lease ends,
// and a waiting record is rewritten as leased with its due time, so a claim
// after a lapsed lease reports the same due time. A member without a
// record, or with a record of unknown form (only possible after partial
// data loss or foreign writes), is dropped.
//
// KEYS: due, pay of one shard.
// ARGV[1] now (unix ms); 0 means Redis's own clock (TIME), the production
// case, so the pods' clocks never matter.
// ARGV[2] lease (ms). ARGV[3] max timers.
// Reply: now, lease expiry, the earliest score left in the shard after the
// claim (-1 when empty), then a pair per claimed timer: first due time (a
// decimal string), record as it was before the claim.
var claimScript = goredis.NewScript(timerLua + `
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local lease = string.format('%.0f', now + tonumber(ARGV[2]))
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now),
  'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local out, o = {now, tonumber(lease), -1}, 3
if #due > 0 then
  local members, n = {}, #due / 2
  for j = 1, n do members[j] = due[2 * j - 1] end
  local recs = each('HMGET', KEYS[2], members)
  local z, h, drop, zk, hk = {}, {}, {}, 0, 0
  for j = 1, n do
    local m, rec = members[j], recs[j]
    local first
    if rec then
      local form = string.byte(rec, 1)
      if form == 112 then -- 'p': the first claim
        first = due[2 * j]
        h[hk + 1] = m
        h[hk + 2] = 'l' .. first .. '|' .. string.sub(rec, 2)
        hk = hk + 2
      elseif form == 108 then
        first = firstDue(rec)
      end
    end
    if first then
      z[zk + 1] = lease
      z[zk + 2] = m
      zk = zk + 2
      out[o + 1] = first
      out[o + 2] = rec
      o = o + 2
    else
      drop[#drop + 1] = m
    end
  end
  if zk > 0 then each('ZADD', KEYS[1], z) end
  if hk > 0 then each('HSET', KEYS[2], h) end
  if #drop > 0 then
    each('ZREM', KEYS[1], drop)
    each('HDEL', KEYS[2], drop)
  end
end
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if head[2] then out[3] = tonumber(head[2]) end
return out
`)

// ackScript removes fired timers, but only those still leased by the claim
// being acknowledged: the score must still be that claim's lease expiry and
// the record must still be leased with that claim's due time. A timer
// rescheduled or cancelled after the claim (its record rewritten or gone),
// or claimed again after the lease lapsed (a later expiry), survives.
//
// KEYS: due, pay of one shard.
// ARGV: repeated triples member, lease expiry (unix ms), due (unix ms).
// Reply: the number of timers removed.
var ackScript = goredis.NewScript(timerLua + `
local members, n = {}, #ARGV / 3
for j = 1, n do members[j] = ARGV[3 * j - 2] end
local scores = each('ZMSCORE', KEYS[1], members)
local recs = each('HMGET', KEYS[2], members)
local del = {}
for j = 1, n do
  local score, rec = scores[j], recs[j]
  if score and rec and tonumber(score) == tonumber(ARGV[3 * j - 1]) then
    local first = firstDue(rec)
    if first and tonumber(first) == tonumber(ARGV[3 * j]) then del[#del + 1] = members[j] end
  end
end
if #del > 0 then
  each('ZREM', KEYS[1], del)
  each('HDEL', KEYS[2], del)
end
return #del
`)
