-- unqueue: leaves the quick-match queue (harmless when not queued).
-- KEYS[1] queue; KEYS[2] queue names; ARGV: player id, idem ('' for none)
-- Returns {'OK', 1 if it was queued else 0} ('R' for 'OK': a resent idem)
-- @include game
local prev = idem_recall(ARGV[1], ARGV[2])
if prev then return prev end
local n = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return idem_record(ARGV[1], ARGV[2], {'OK', n})
