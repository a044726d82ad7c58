-- drop: the reaper's step on a player of a dead gateway instance (S1's reconciler, store/presence.ts):
-- removes every connection of that instance. A player left with none is offline: its presence
-- sequence is bumped (only when this call removed one: a repeat changes nothing) and the caller
-- carries it to each game, takes the player out of its queue, then removes it from the instance index.
-- KEYS[1] the player's conns; KEYS[2] its presence sequence; KEYS[3] its games index; KEYS[4] its queue ticket
-- ARGV: instance id
-- Returns {online 1|0, presence sequence, queue ticket or '', game id...}
-- @include player
local prefix = ARGV[1] .. '|'
local removed = 0
for _, c in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if string.sub(c, 1, #prefix) == prefix then removed = removed + redis.call('SREM', KEYS[1], c) end
end
if redis.call('SCARD', KEYS[1]) > 0 then return {1, 0, ''} end
local seq = removed > 0 and next_seq(KEYS[2]) or cur_seq(KEYS[2])
return with_games({0, seq, redis.call('GET', KEYS[4]) or ''}, KEYS[3])
