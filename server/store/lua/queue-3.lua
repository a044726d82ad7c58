-- queue: step (b) of S3 (store/matching.ts), on one variant's queue {q:V}. A game of N players
-- starts when N players asked for the same variant: the longest-waiting N-1 and this one, seated in
-- queue order, recorded as a pending match (game id -> players) that the caller makes (seat-3.lua),
-- hands to each player (matched-2.lua) and then deletes; otherwise the player waits. A player who
-- goes offline is taken out of the queue by its disconnect or the reaper (it is not read from here:
-- its connections are in another slot); one matched meanwhile starts with its abandonment clock.
-- Invariant Q2: a pending match older than a couple of seconds was left by a gateway that died:
-- any gateway finishes it (pending-1.lua).
-- KEYS[1] queue; KEYS[2] its names; KEYS[3] its pending matches
-- ARGV: player id, name, id for a new game, players per game, variant JSON ('' classic)
-- Returns {'queued'} | {'matched', game id, players JSON}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pid = ARGV[1]
if redis.call('ZSCORE', KEYS[1], pid) then
  redis.call('HSET', KEYS[2], pid, ARGV[2])
  return {'queued'}
end
local n = tonumber(ARGV[4])
local found = {}
for _, other in ipairs(redis.call('ZRANGE', KEYS[1], 0, n - 2)) do
  found[#found + 1] = {id = other, name = redis.call('HGET', KEYS[2], other) or 'Guest'}
end
if #found < n - 1 then
  redis.call('ZADD', KEYS[1], 'NX', now, pid)
  redis.call('HSET', KEYS[2], pid, ARGV[2])
  return {'queued'}
end
for _, p in ipairs(found) do
  redis.call('ZREM', KEYS[1], p.id)
  redis.call('HDEL', KEYS[2], p.id)
end
found[#found + 1] = {id = pid, name = ARGV[2]}
local players = cjson.encode(found)
redis.call('HSET', KEYS[3], ARGV[3], cjson.encode({at = now, v = ARGV[5], players = found}))
return {'matched', ARGV[3], players}
