-- heartbeat: renews a gateway instance's registration in the registry {r}, and keeps the
-- registry's own clock: every gateway beats every HEARTBEAT_MS, so a silence of all of them longer
-- than `gap` means nobody could reach the registry's shard: the first beat after it sets `up`, and
-- lapsed registrations are not judged for `grace` after that (registry-2.lua). A TTL of 0 ends the
-- registration (lapsed now: what is left of the instance is reaped like a dead one's).
-- KEYS[1] instances hash; KEYS[2] registry clock
-- ARGV: instance id, description JSON, registration TTL ms, gap ms, grace ms
-- Returns 1 when the registration was still alive, 0 when it had lapsed (or is new)
-- @include clock
local now = now_ms()
if tonumber(ARGV[3]) > 0 then
  local alive = tonumber(redis.call('HGET', KEYS[2], 'alive'))
  if alive and now - alive > tonumber(ARGV[4]) then redis.call('HSET', KEYS[2], 'up', now) end
  if not alive or now > alive then redis.call('HSET', KEYS[2], 'alive', now) end
  redis.call('HSET', KEYS[2], 'gap', ARGV[4], 'grace', ARGV[5])
end
local prev = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], (now + tonumber(ARGV[3])) .. ' ' .. ARGV[2])
if prev and tonumber(string.match(prev, '^(%d+)')) > now then return 1 end
return 0
