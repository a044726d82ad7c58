-- registry: the registry's judgement, by its own shard's clock: the live instances' descriptions,
-- and the instances whose registration lapsed (dead, to reap) unless the registry is settling after
-- an outage of its shard (then a lapsed registration proves nothing). With ARGV[1] an instance id,
-- `forget`: removes that instance if it is (still) lapsed and not settling, once reaped.
-- KEYS[1] instances hash; KEYS[2] registry clock
-- ARGV: instance id to forget ('' for none)
-- Returns {settling 1|0, live count, (id, description)..., dead id...} | {forgotten 1|0}
-- @include clock
local now = now_ms()
local settling = select(2, store_state(now, KEYS[2]))
local function lapsed(v) return tonumber(string.match(v, '^(%d+)')) <= now end
if ARGV[1] ~= '' then
  local v = redis.call('HGET', KEYS[1], ARGV[1])
  if v and lapsed(v) and not settling then redis.call('HDEL', KEYS[1], ARGV[1]); return {1} end
  return {0}
end
local live, dead = {}, {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if not lapsed(all[i + 1]) then live[#live + 1] = {all[i], string.match(all[i + 1], '^%d+ (.*)$')}
  elseif not settling then dead[#dead + 1] = all[i] end
end
local out = {settling and 1 or 0, #live}
for _, d in ipairs(live) do out[#out + 1] = d[1]; out[#out + 1] = d[2] end
for _, d in ipairs(dead) do out[#out + 1] = d end
return out
