-- claim: takes up to `count` games whose time rule is due off the sweep of every other gateway for
-- `lease` ms (their score moves to now + lease), so that gateways sweep disjoint slices of a
-- backlog in parallel. The claimant calls expire for each, which applies the rule or reschedules
-- the game at its next one; a claimant that dies leaves its games to be claimed again once the
-- lease ends.
-- KEYS[1] deadlines
-- ARGV: count, lease ms
-- Returns the claimed game ids
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), id) end
return ids
