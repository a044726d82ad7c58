-- matched: step (d) of S3 (store/matching.ts): a matched player's games index gets the game, and
-- its queue ticket goes when it names this queue (a player who queued elsewhere since keeps it).
-- Idempotent: a reconciler finishing a pending match may run it again.
-- KEYS[1] games index; KEYS[2] queue ticket
-- ARGV: game id, variant name
-- Returns 1
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'NX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
redis.call('EXPIRE', KEYS[1], 2592000)
return 1
