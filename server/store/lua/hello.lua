-- hello: resumes the session of a known token or creates a guest, and records the connection.
-- KEYS[1] session of the token presented (or a key that does not exist); KEYS[2] session for a new token
-- ARGV: new player id, name ('' keeps the stored one), default guest name, session TTL s, connection member, templates JSON
-- Returns {resumed 0|1, player id, name}
-- @include game
local T = cjson.decode(ARGV[6])
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
redis.call('SADD', fmt(T.conns, pid), ARGV[5])
return {resumed, pid, name}
