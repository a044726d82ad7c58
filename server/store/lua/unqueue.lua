-- unqueue: leaves the quick-match queue (harmless when not queued).
-- KEYS[1] queue; KEYS[2] queue names; ARGV: player id
-- Returns {'OK', 1 if it was queued else 0}
local n = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return {'OK', n}
