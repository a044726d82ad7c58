-- expire: applies a game's due time rule, once. Any gateway may call it for a game whose score in
-- the deadlines set has passed (by Redis' clock); the first call applies the rule and removes the
-- entry, so every later call finds nothing to do.
-- Rules: the player to move ran out of time (won, reason timeout); an invite nobody joined (aborted).
-- KEYS[1] deadlines; KEYS[2] game
-- ARGV: game id, finished-game TTL s, templates JSON
-- Returns 1 when a rule was applied, else 0
-- @include game
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
local now = now_ms()
if tonumber(score) > now then return 0 end
local g = load_game(KEYS[2])
if not g then redis.call('ZREM', KEYS[1], ARGV[1]); return 0 end
local T = cjson.decode(ARGV[3])
if g.status == 'playing' and g.deadline ~= cjson.null and tonumber(g.deadline) <= now then
  g.status = 'won'; g.winner = other(g.turn); g.reason = 'timeout'
elseif g.status == 'waiting' then
  g.status = 'aborted'
else
  -- a stale entry: the game moved on or ended; keep the entry only if a newer deadline is set
  if g.status == 'playing' and g.deadline ~= cjson.null then
    redis.call('ZADD', KEYS[1], g.deadline, g.id)
  else
    redis.call('ZREM', KEYS[1], ARGV[1])
  end
  return 0
end
g.version = g.version + 1
end_game(g, KEYS[2], KEYS[1], T, ARGV[2])
save_and_publish(KEYS[2], fmt(T.gch, g.id), g)
return 1
