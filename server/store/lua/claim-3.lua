-- claim: takes up to `count` games of one bucket whose time rule is due off the sweep of every
-- other gateway for `lease` ms (their score moves to now + lease), so that gateways sweep disjoint
-- slices of a backlog in parallel. The claimant calls expire for each, which applies the rule or
-- reschedules the game at its next one (a computer's turn at one computer lease); a claimant that
-- dies leaves its games to be claimed again once the lease ends.
-- Also the bucket's sweep clock, judged by the bucket's own shard clock: every sweep writes
-- `alive`; a silence longer than `gap` (nobody could reach the shard, or no gateway swept) is an
-- outage START-END, recorded in the bucket's outages, and `up` its end: clocks of the bucket stop
-- for it (expire-5.lua) and nothing is judged for `grace` after it. The first sweep after an
-- outage records it and claims nothing.
-- KEYS[1] the bucket's deadlines; KEYS[2] its sweep clock; KEYS[3] its outages
-- ARGV: count, lease ms, gap ms, grace ms, outage history ms
-- Returns the claimed game ids
-- @include clock
local now = now_ms()
local alive = tonumber(redis.call('HGET', KEYS[2], 'alive'))
redis.call('HSET', KEYS[2], 'gap', ARGV[3], 'grace', ARGV[4])
if alive and now - alive > tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[3], now, alive .. '-' .. now)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]))
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -101)
  redis.call('HSET', KEYS[2], 'up', now, 'alive', now)
  return {}
end
if not alive or now > alive then redis.call('HSET', KEYS[2], 'alive', now) end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), id) end
return ids
