-- A player's own slot {p:ID}: its connections (set of `INSTANCE|CONN`), its presence sequence and
-- its games index (sorted set, see server/store/keys.ts). No game is read from here: the caller
-- carries the games index and the sequence to each game (presence-3.lua), the steps of S1.

-- Records a connection; bumps the presence sequence when the player goes online with it.
-- Returns the presence sequence.
local function add_conn(conns_key, seq_key, member)
  local was = redis.call('SCARD', conns_key)
  redis.call('SADD', conns_key, member)
  if was == 0 then return redis.call('INCR', seq_key) end
  return tonumber(redis.call('GET', seq_key)) or redis.call('INCR', seq_key)
end

-- The reply tail every connection script ends with: presence sequence, then the games index.
local function with_games(reply, games_key)
  for _, id in ipairs(redis.call('ZRANGE', games_key, 0, -1)) do reply[#reply + 1] = id end
  return reply
end
