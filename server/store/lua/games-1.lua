-- games: the games index of a player for a reader (store/seats.ts): each id with whether its entry
-- may be judged now (1: its score is past, by this shard's clock), not yet (0), or is a long
-- reservation (2: judged more than ARGV[1] ms from now: a rematch's, waiting for the other asks).
-- The reader releases judged entries whose game is finished or missing (invariant G2: such entries
-- are stale), and a player out of room also its long reservations whose game is missing; a short
-- one may be a create or join still making its game (G1), so it waits for its time.
-- KEYS[1] games index
-- ARGV: the ordinary reservation's grace (ms)
-- Returns {id, 1|0|2, id, 1|0|2, ...}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
local e = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #e, 2 do
  out[#out + 1] = e[i]
  local at = tonumber(e[i + 1])
  out[#out + 1] = (at <= now and 1) or (at - now > tonumber(ARGV[1]) and 2) or 0
end
return out
