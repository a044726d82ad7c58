-- Redis' own clock in epoch ms (the script's shard: the clock of its slot's games), the one helper
-- a script that needs no game rules includes (claim-3.lua, run for every bucket on every sweep;
-- heartbeat-2.lua and registry-2.lua), and the availability of a shard by its clock hash.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The availability of a slot's shard, by its clock hash `clock_key` (a bucket's sweep clock, kept
-- by claim-3.lua; the registry's clock, kept by heartbeat-2.lua). `unrecorded`: nobody wrote the
-- clock for longer than the outage gap, so the shard is just back from an outage not recorded yet;
-- `settling`: that, or it came back less than `grace` ago. While settling, a lapsed registration
-- proves nothing (its gateway may be alive and not have had its chance to renew yet), and no time
-- rule of the bucket is judged.
local function store_state(now, clock_key)
  local c = redis.call('HMGET', clock_key, 'alive', 'up', 'gap', 'grace')
  local alive, up, gap, grace = tonumber(c[1]), tonumber(c[2]), tonumber(c[3]), tonumber(c[4])
  local unrecorded = alive ~= nil and gap ~= nil and now - alive > gap
  return unrecorded, unrecorded or (up ~= nil and grace ~= nil and now - up < grace)
end
