-- hello: step (b) of S1 (store/presence.ts): resumes the session of a known token or, when asked
-- to, creates a guest's, and records the connection. The instance index already holds the player
-- (step (a), invariant P1); the caller then carries the returned presence sequence to each game of
-- the returned games index (step (c)).
-- KEYS[1] the session (of the token presented, or of the new token); KEYS[2] the player's conns;
-- KEYS[3] its presence sequence; KEYS[4] its games index (all in {p:ID})
-- ARGV: create 1|0, player id, name ('' keeps the stored one), default guest name, session TTL s, connection member
-- Returns {'unknown'} when the session does not exist and create is 0, else
-- {resumed 0|1, player id, name, presence sequence, game id...}
-- @include player
local name, resumed
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'name', ARGV[3]) end
  name = redis.call('HGET', KEYS[1], 'name')
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  resumed = 1
elseif ARGV[1] ~= '1' then
  return {'unknown'}
else
  name = ARGV[3]
  if name == '' then name = ARGV[4] end
  redis.call('HSET', KEYS[1], 'pid', ARGV[2], 'name', name)
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  resumed = 0
end
local seq = add_conn(KEYS[2], KEYS[3], ARGV[6])
redis.call('EXPIRE', KEYS[4], 2592000) -- the games index: renewed while its player comes back
return with_games({resumed, ARGV[2], name, seq}, KEYS[4])
