-- expire: applies a game's due time rule, once. Any gateway may call it for a game whose score in
-- the deadlines set has passed (by Redis' clock). Every rule of the game is evaluated at once:
-- - turn: the player to move ran out of time (won by the other, reason timeout);
-- - abandonment of a seat (field aX/aO: its player has been offline since, see apply_presence):
--   won by the other, reason abandoned; aborted (reason abandoned) when the other seat's player is
--   offline too, or the seat is empty (a waiting game);
-- - invite (field ix): a private game nobody joined (aborted).
-- The earliest due rule applies and ends the game, so every later call finds nothing to do; when
-- none is due (the game moved on), the game is rescheduled at its next rule.
-- KEYS[1] deadlines; KEYS[2] game
-- ARGV: game id, finished-game TTL s
-- Returns the reason applied ('timeout' | 'abandoned' | 'expired'), or 0
-- @include game
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
local now = now_ms()
if tonumber(score) > now then return 0 end
local g = load_game(KEYS[2])
if not g or not unfinished(g) then redis.call('ZREM', KEYS[1], ARGV[1]); return 0 end
local f = redis.call('HMGET', KEYS[2], 'aX', 'aO', 'ix', 'oX', 'oO')
local rule, at = nil, nil
local function consider(name, t)
  t = tonumber(t)
  if t and t <= now and (not at or t < at) then rule, at = name, t end
end
if g.status == 'playing' then consider('turn', g.deadline) end
consider('X', f[1])
consider('O', f[2])
if g.status == 'waiting' then consider('invite', f[3]) end
if not rule then schedule(g, KEYS[2], KEYS[1]); return 0 end
local applied
if rule == 'turn' then
  g.status = 'won'; g.winner = other(g.turn); g.reason = 'timeout'; applied = 'timeout'
elseif rule == 'invite' then
  g.status = 'aborted'; applied = 'expired'
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
