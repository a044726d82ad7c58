-- heartbeat: renews a gateway instance's registration, and keeps the store's own record of its
-- availability. Every gateway beats every HEARTBEAT_MS, so a silence of all of them longer than
-- `gap` means nobody could reach the store (it was down, restarting, failing over): the first beat
-- after it records the outage (START-END, from the newest beat before it to now) and when the store
-- came back (`up`). Lapsed registrations are not judged for `grace` after that (includes/game.lua
-- store_state), and clocks stop during recorded outages (expire-3.lua).
-- KEYS[1] instance key; KEYS[2] instances set; KEYS[3] store clock hash; KEYS[4] outages
-- ARGV: instance id, description JSON, registration TTL ms, gap ms, grace ms, outage history ms
-- Returns 1 when the registration was still alive, 0 when it had lapsed (or is new)
-- @include game
local now = now_ms()
local alive = tonumber(redis.call('HGET', KEYS[3], 'alive'))
if alive and now - alive > tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[4], now, alive .. '-' .. now)
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[6]))
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -101)
  redis.call('HSET', KEYS[3], 'up', now)
end
if not alive or now > alive then redis.call('HSET', KEYS[3], 'alive', now) end
redis.call('HSET', KEYS[3], 'gap', ARGV[4], 'grace', ARGV[5])
local prev = redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3], 'GET')
redis.call('SADD', KEYS[2], ARGV[1])
if prev then return 1 end
return 0
