-- disconnect: forgets one connection of a player (the mirror of hello, S1 in store/presence.ts).
-- A player left with no connection goes offline: its presence sequence is bumped and the caller
-- carries it to each game of the index, takes the player out of its queue (the ticket), and LAST
-- removes it from the instance index when it has no other connection on that instance (P1).
-- KEYS[1] the player's conns; KEYS[2] its presence sequence; KEYS[3] its games index; KEYS[4] its queue ticket
-- ARGV: connection member (INSTANCE|CONN)
-- Returns {online 1|0, still on that instance 1|0, presence sequence, queue ticket or '', game id...}
-- @include player
local removed = redis.call('SREM', KEYS[1], ARGV[1])
local prefix = string.match(ARGV[1], '^[^|]+|') or ARGV[1]
local here = 0
local left = redis.call('SMEMBERS', KEYS[1])
for _, c in ipairs(left) do
  if string.sub(c, 1, #prefix) == prefix then here = 1; break end
end
if #left > 0 then return {1, here, 0, ''} end
local seq = removed == 1 and next_seq(KEYS[2]) or cur_seq(KEYS[2])
return with_games({0, here, seq, redis.call('GET', KEYS[4]) or ''}, KEYS[3])
