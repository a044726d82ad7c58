-- expire: applies a game's due time rule, once. Any gateway may call it for a game in its bucket's
-- deadlines set (a gateway claims due ones first: claim-3.lua). Everything is in the game's bucket
-- {t:B}, and judged by that shard's clock. Every rule of the game is evaluated
-- at once, by Redis' clock:
-- - turn: the player to move ran out of time: it goes out (includes/game.lua go_out; with two
--   players the other wins, reason timeout);
-- - abandonment of a seat (field aX..aZ: its player has been offline since, see apply_presence): it
--   goes out, reason abandoned; the game is aborted (reason abandoned) instead when no other seat
--   still in has its player online, or the game is waiting;
-- - invite (field ix): a private game nobody joined (aborted);
-- - idle (field il): nothing changed the game for GAME_IDLE_MS (aborted);
-- - the computer's turn (field c): not applied here but claimed: `c` moves one lease ahead and the
--   snapshot goes back to the caller, who computes the computer's move and plays it through
--   move-2.lua (server/gateway/computer-turns.ts); if the caller dies, the lease lapses and any
--   sweep claims it again. One caller per lease wins the claim.
-- Clocks stop while the bucket was not swept (its shard, or every gateway, down): before judging,
-- every rule moves later by the part of each outage of the bucket (recorded by claim-3.lua) that
-- fell within its run; a turn clock moved so is a new version (field xv counts them, xo is the end
-- of the newest outage already applied). Nothing is judged while the bucket is back from an outage
-- its sweep has not recorded yet.
-- A rule that ends the game is applied once: every later call finds nothing to do; one that puts a
-- seat out (more than two players) reschedules the game at its next rule; when none is due (the
-- game moved on), the game is rescheduled at its next rule.
-- KEYS[1] the bucket's deadlines; KEYS[2] game; KEYS[3] the bucket's outages; KEYS[4] its sweep clock; KEYS[5] its outbox
-- ARGV: game id, finished-game TTL s, turn ms, abandon ms, invite TTL ms, computer lease ms, game channel
-- Returns the reason of a rule that ended the game ('timeout' | 'abandoned' | 'expired' | 'idle'),
-- {'out', seat, reason} for a seat that went out of a game that goes on, {'cpu', snapshot JSON}
-- for a claimed computer's turn, or 0
-- @include game
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local now = now_ms()
if store_state(now, KEYS[4]) then return 0 end
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
  local fields = {'aX', 'aO', 'aY', 'aZ', 'ix'}
  local f = redis.call('HMGET', KEYS[2], unpack(fields))
  for i, field in ipairs(fields) do
    local span = tonumber(i == 5 and ARGV[5] or ARGV[4])
    if f[i] and span > 0 then redis.call('HSET', KEYS[2], field, paused_end(tonumber(f[i]), span, outs)) end
  end
  local turn_ms = tonumber(ARGV[3])
  if g.status == 'playing' and g.deadline ~= cjson.null and turn_ms > 0 then
    local later = paused_end(g.deadline, turn_ms, outs)
    if later ~= g.deadline then
      g.deadline = later
      g.version = g.version + 1
      redis.call('HINCRBY', KEYS[2], 'xv', 1)
      save_and_publish(KEYS[2], ARGV[7], g)
    end
  end
  redis.call('HSET', KEYS[2], 'xo', outs[#outs][2])
end

local f = redis.call('HMGET', KEYS[2], 'aX', 'aO', 'aY', 'aZ', 'ix', 'il', 'c', unpack(PRESENCE_FIELDS))
local rule, at = nil, nil
local function consider(name, t)
  t = tonumber(t)
  if t and t <= now and (not at or t < at) then rule, at = name, t end
end
if g.status == 'playing' then consider('turn', g.deadline); consider('cpu', f[7]) end
for i = 1, 4 do consider(SEATS[i], f[i]) end
if g.status == 'waiting' then consider('invite', f[5]) end
consider('idle', f[6])
if not rule then schedule(g, KEYS[2], KEYS[1]); return 0 end
if rule == 'cpu' then
  redis.call('HSET', KEYS[2], 'c', now + tonumber(ARGV[6]))
  place(g, KEYS[2], KEYS[1])
  return {'cpu', redis.call('HGET', KEYS[2], 's')}
end
local seat, reason = nil, nil
if rule == 'turn' then seat, reason = g.turn, 'timeout'
elseif rule == 'invite' then g.status = 'aborted'; reason = 'expired'
elseif rule == 'idle' then g.status = 'aborted'; reason = 'idle'
else
  -- an abandoned seat: out, unless nobody else still in is online (then the game is aborted)
  reason = 'abandoned'
  local anyone = false
  for i = 1, variant_of(g).players do
    local s = SEATS[i]
    local p = seated(g, s)
    if s ~= rule and p and not is_out(g.out, s) and (is_computer(p) or f[7 + i] == '1') then anyone = true end
  end
  if anyone and g.status == 'playing' then seat = rule else g.status = 'aborted'; g.reason = 'abandoned' end
end
if seat then
  local err = go_out(g, KEYS[2], KEYS[1], seat, reason, ARGV[3], ARGV[2], now, ARGV[7])
  if err then redis.call('HDEL', KEYS[2], 'a' .. rule); schedule(g, KEYS[2], KEYS[1]); return 0 end
  if g.status == 'playing' then return {'out', seat, reason} end
  return reason
end
g.version = g.version + 1
end_game(g, KEYS[2], KEYS[1], ARGV[2])
save_and_publish(KEYS[2], ARGV[7], g)
return reason
