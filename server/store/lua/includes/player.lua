-- A player's own slot {p:ID}: its connections (set of `INSTANCE|CONN`), its presence sequence and
-- its games index (sorted set, see server/store/keys.ts). No game is read from here: the caller
-- carries the games index and the sequence to each game (presence-3.lua), the steps of S1.

-- The presence sequence, bumped: above the previous one and at least this shard's time in ms, so
-- that it keeps growing after its key expired (7 days after the last change) or a failover.
local function next_seq(seq_key)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local seq = math.max((tonumber(redis.call('GET', seq_key)) or 0) + 1, now)
  redis.call('SET', seq_key, seq, 'EX', 604800)
  return seq
end

-- The current presence sequence (a new one when there is none).
local function cur_seq(seq_key)
  return tonumber(redis.call('GET', seq_key)) or next_seq(seq_key)
end

-- Records a connection; bumps the presence sequence when the player goes online with it.
-- Returns the presence sequence.
local function add_conn(conns_key, seq_key, member)
  local was = redis.call('SCARD', conns_key)
  redis.call('SADD', conns_key, member)
  if was == 0 then return next_seq(seq_key) end
  return cur_seq(seq_key)
end

-- The reply tail every connection script ends with: presence sequence, then the games index.
local function with_games(reply, games_key)
  for _, id in ipairs(redis.call('ZRANGE', games_key, 0, -1)) do reply[#reply + 1] = id end
  return reply
end
