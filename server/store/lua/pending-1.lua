-- pending: the pending matches of a queue older than `age` ms by the queue shard's clock: left by a
-- gateway that died mid-match (S3, invariant Q2); any gateway finishes them.
-- KEYS[1] the queue's pending matches
-- ARGV: age ms
-- Returns {game id, record JSON, ...}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local ok, r = pcall(cjson.decode, all[i + 1])
  if not ok or type(r) ~= 'table' or not r.at or now - r.at >= tonumber(ARGV[1]) then
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
  end
end
return out
