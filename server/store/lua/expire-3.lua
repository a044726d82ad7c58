-- expire: applies a game's due time rule, once. Any gateway may call it for a game in the
-- deadlines set (a gateway claims due ones first: claim-1.lua). Every rule of the game is evaluated
-- at once, by Redis' clock:
-- - turn: the player to move ran out of time (won by the other, reason timeout);
-- - abandonment of a seat (field aX/aO: its player has been offline since, see apply_presence):
--   won by the other, reason abandoned; aborted (reason abandoned) when the other seat's player is
--   offline too, or the seat is empty (a waiting game);
-- - invite (field ix): a private game nobody joined (aborted);
-- - idle (field il): nothing changed the game for GAME_IDLE_MS (aborted).
-- Clocks stop while the store is down: before judging, every rule moves later by the part of each
-- recorded outage (heartbeat-4.lua) that fell within its run; a turn clock moved so is a new version
-- (field xv counts them, xo is the end of the newest outage already applied). Nothing is judged
-- while the store is back from an outage the heartbeat has not recorded yet.
-- The earliest due rule applies and ends the game, so every later call finds nothing to do; when
-- none is due (the game moved on), the game is rescheduled at its next rule.
-- KEYS[1] deadlines; KEYS[2] game; KEYS[3] outages
-- ARGV: game id, finished-game TTL s, turn ms, abandon ms, invite TTL ms
-- Returns the reason applied ('timeout' | 'abandoned' | 'expired' | 'idle'), or 0
-- @include game
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local now = now_ms()
if store_state(now) then return 0 end
local g = load_game(KEYS[2])
if not g or not unfinished(g) then redis.call('ZREM', KEYS[1], ARGV[1]); return 0 end

-- When a clock of `span` ms that would end at `t` ends once it stops during the outages `outs`
-- ({start, end} in time order).
local function paused_end(t, span, outs)
  local cur, left = t - span, span
  for _, o in ipairs(outs) do
    if o[2] > cur then
      local from = math.max(o[1], cur)
      if from - cur >= left then break end
      left = left - (from - cur)
      cur = o[2]
    end
  end
  return cur + left
end
local outs = {}
local applied_to = redis.call('HGET', KEYS[2], 'xo')
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], applied_to and '(' .. applied_to or '-inf', '+inf')) do
  local a, b = string.match(m, '^(%d+)-(%d+)$')
  if a then outs[#outs + 1] = {tonumber(a), tonumber(b)} end
end
if #outs > 0 then
  local f = redis.call('HMGET', KEYS[2], 'aX', 'aO', 'ix')
  for i, field in ipairs({'aX', 'aO', 'ix'}) do
    local span = tonumber(i == 3 and ARGV[5] or ARGV[4])
    if f[i] and span > 0 then redis.call('HSET', KEYS[2], field, paused_end(tonumber(f[i]), span, outs)) end
  end
  local turn_ms = tonumber(ARGV[3])
  if g.status == 'playing' and g.deadline ~= cjson.null and turn_ms > 0 then
    local later = paused_end(g.deadline, turn_ms, outs)
    if later ~= g.deadline then
      g.deadline = later
      g.version = g.version + 1
      redis.call('HINCRBY', KEYS[2], 'xv', 1)
      save_and_publish(KEYS[2], fmt(T.gch, g.id), g)
    end
  end
  redis.call('HSET', KEYS[2], 'xo', outs[#outs][2])
end

local f = redis.call('HMGET', KEYS[2], 'aX', 'aO', 'ix', 'oX', 'oO', 'il')
local rule, at = nil, nil
local function consider(name, t)
  t = tonumber(t)
  if t and t <= now and (not at or t < at) then rule, at = name, t end
end
if g.status == 'playing' then consider('turn', g.deadline) end
consider('X', f[1])
consider('O', f[2])
if g.status == 'waiting' then consider('invite', f[3]) end
consider('idle', f[6])
if not rule then schedule(g, KEYS[2], KEYS[1]); return 0 end
local applied
if rule == 'turn' then
  g.status = 'won'; g.winner = other(g.turn); g.reason = 'timeout'; applied = 'timeout'
elseif rule == 'invite' then
  g.status = 'aborted'; applied = 'expired'
elseif rule == 'idle' then
  g.status = 'aborted'; applied = 'idle'
else
  local rest = other(rule)
  local rest_online = g.players[rest] ~= cjson.null and f[rest == 'X' and 4 or 5] == '1'
  if rest_online and g.status == 'playing' then g.status = 'won'; g.winner = rest else g.status = 'aborted' end
  g.reason = 'abandoned'; applied = 'abandoned'
end
g.version = g.version + 1
end_game(g, KEYS[2], KEYS[1], T, ARGV[2])
save_and_publish(KEYS[2], fmt(T.gch, g.id), g)
return applied
