-- disconnect: forgets one connection of a player; a player left with no live connection leaves the queue.
-- KEYS[1] the player's conns set; KEYS[2] queue; KEYS[3] queue names
-- ARGV: connection member, player id, templates JSON
-- Returns 1 when the player is still online elsewhere, else 0
-- @include game
local T = cjson.decode(ARGV[3])
redis.call('SREM', KEYS[1], ARGV[1])
if is_online(KEYS[1], T.inst) then return 1 end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return 0
