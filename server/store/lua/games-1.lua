-- games: the games index of a player for a reader (store/seats.ts): each id with whether its entry
-- may be judged now (its score is past, by this shard's clock). The reader releases judged entries
-- whose game is finished or missing (invariant G2: such entries are stale).
-- KEYS[1] games index
-- Returns {id, 1|0, id, 1|0, ...}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
local e = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #e, 2 do
  out[#out + 1] = e[i]
  out[#out + 1] = tonumber(e[i + 1]) <= now and 1 or 0
end
return out
