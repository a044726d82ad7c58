-- claim: takes up to `count` games whose time rule is due off the sweep of every other gateway for
-- `lease` ms (their score moves to now + lease), so that gateways sweep disjoint slices of a
-- backlog in parallel. The claimant calls expire for each, which applies the rule or reschedules
-- the game at its next one; a claimant that dies leaves its games to be claimed again once the
-- lease ends. A game whose due rule is the computer's turn (field c) gets the shorter computer
-- lease: should the claimant die before it moves, the computer loses only that long.
-- KEYS[1] deadlines
-- ARGV: count, lease ms, computer lease ms
-- Returns the claimed game ids
-- @include game
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(ids) do
  local c = tonumber(redis.call('HGET', fmt(T.game, id), 'c'))
  redis.call('ZADD', KEYS[1], now + tonumber((c and c <= now) and ARGV[3] or ARGV[2]), id)
end
return ids
