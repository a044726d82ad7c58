-- hello: resumes the session of a known token or creates a guest, records the connection, and
-- marks the player online in its unfinished games (cancelling their abandonment clocks).
-- KEYS[1] session of the token presented (or a key that does not exist); KEYS[2] session for a new token;
-- KEYS[3] the gateway instance's players index; KEYS[4] deadlines; KEYS[5] queue; KEYS[6] queue names
-- ARGV: new player id, name ('' keeps the stored one), default guest name, session TTL s, connection member, abandon ms
-- Returns {resumed 0|1, player id, name}
-- @include presence
local pid, name, resumed
if redis.call('EXISTS', KEYS[1]) == 1 then
  pid = redis.call('HGET', KEYS[1], 'pid')
  if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'name', ARGV[2]) end
  name = redis.call('HGET', KEYS[1], 'name')
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  resumed = 1
else
  pid = ARGV[1]
  name = ARGV[2]
  if name == '' then name = ARGV[3] end
  redis.call('HSET', KEYS[2], 'pid', pid, 'name', name)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  resumed = 0
end
attach_conn(pid, ARGV[5], KEYS[3], T)
refresh_player(pid, KEYS[4], KEYS[5], KEYS[6], T, now_ms(), ARGV[6])
return {resumed, pid, name}
