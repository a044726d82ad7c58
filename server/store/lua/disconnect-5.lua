-- disconnect: forgets one connection of a player. A player left with no live connection leaves the
-- queue, shows offline in its unfinished games and starts their abandonment clocks.
-- KEYS[1] the player's conns set; KEYS[2] queue; KEYS[3] queue names; KEYS[4] the connection's
-- instance's players index; KEYS[5] deadlines
-- ARGV: connection member (INSTANCE|CONN), player id, abandon ms
-- Returns 1 when the player is still online elsewhere, else 0
-- @include presence
redis.call('SREM', KEYS[1], ARGV[1])
local prefix = string.match(ARGV[1], '^[^|]+|') or ARGV[1]
local here = false
for _, c in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if string.sub(c, 1, #prefix) == prefix then here = true; break end
end
if not here then redis.call('SREM', KEYS[4], ARGV[2]) end
if refresh_player(ARGV[2], KEYS[5], KEYS[2], KEYS[3], T, now_ms(), ARGV[3]) then return 1 end
return 0
