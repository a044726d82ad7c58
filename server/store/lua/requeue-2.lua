-- requeue: puts a player back in a queue at the place it held (attach, after a reaper took it out
-- while its gateway was only cut off); not when it waits there already.
-- KEYS[1] queue; KEYS[2] its names
-- ARGV: player id, score, name
-- Returns 1 when put back
if redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
