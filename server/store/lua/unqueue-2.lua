-- unqueue: takes a player out of one variant's queue (harmless when it does not wait there).
-- KEYS[1] queue; KEYS[2] its names
-- ARGV: player id
-- Returns {1, score, name} when it waited, else {0}
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return {0} end
local name = redis.call('HGET', KEYS[2], ARGV[1]) or ''
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return {1, score, name}
