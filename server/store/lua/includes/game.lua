-- Helpers of the game scripts besides the move's (inlined by server/store/scripts.ts at load time), on
-- top of includes/core.lua (seats, snapshot writing and publishing, ending a game) and the rules of
-- every variant (includes/variant.lua).
-- @include core
-- The hash fields of a game's seats, in turn order: presence, abandonment clock (the move script
-- names them in its own HMGET).
local PRESENCE_FIELDS = {'oX', 'oO', 'oY', 'oZ'}
local ABANDON_FIELDS = {'aX', 'aO', 'aY', 'aZ'}

-- A notice (`G ID`, `M ID`, `R FROM TO`) on a player's or a game's channel.
local function notice(channel, payload) emit(channel, payload, 'N ' .. channel .. ' ' .. payload) end

-- Idempotency of a request on a game (join, resign, rematch; `idem` '' when it has none): the reply
-- it got when it was applied, in the game hash (field `i:PID:IDEM`, gone with the game); a resend
-- gets it again with 'R' in place of 'OK' (the gateway answers it like the first time but counts
-- nothing twice). create, queue and unqueue keep theirs in the player's slot (store/seats.ts).
local function idem_recall(key, pid, idem)
  if idem == nil or idem == '' then return nil end
  local v = redis.call('HGET', key, 'i:' .. pid .. ':' .. idem)
  if not v then return nil end
  local r = cjson.decode(v)
  r[1] = 'R'
  return r
end

local function idem_record(key, pid, idem, reply)
  if idem ~= nil and idem ~= '' then redis.call('HSET', key, 'i:' .. pid .. ':' .. idem, cjson.encode(reply)) end
  return reply
end

-- The computer's player in `seat` of game `id` (additions of 2026-11-29: create with vs computer).
local function computer_player(id, seat) return {id = 'cpu:' .. id .. ':' .. seat, name = 'Computer', computer = true} end

local function load_game(key)
  local raw = redis.call('HGET', key, 's')
  if not raw then return nil end
  return cjson.decode(raw)
end

-- Writes the snapshot, publishes it and returns the version (write_state, with the presence read here).
local function save_and_publish(key, channel, g)
  return write_state(key, channel, g, redis.call('HMGET', key, unpack(PRESENCE_FIELDS)), 0)
end

-- When game g's next time rule falls due (earliest_rule, with the rule fields read here), or nil.
local function next_rule_at(g, key)
  if not unfinished(g) then return nil end
  local f = redis.call('HMGET', key, 'aX', 'aO', 'aY', 'aZ', 'ix', 'il', 'c')
  return earliest_rule(g, f, 0, f[5], f[6], f[7])
end

-- Places a game in the deadlines set at its next rule, or removes it when it has none.
local function place(g, key, deadlines_key)
  local at = next_rule_at(g, key)
  if at then redis.call('ZADD', deadlines_key, at, g.id) else redis.call('ZREM', deadlines_key, g.id) end
end

-- (Re)schedules a game at its next rule. Every change of an unfinished game comes here: its idle
-- lifetime starts again.
local function schedule(g, key, deadlines_key)
  if unfinished(g) then redis.call('HSET', key, 'il', now_ms() + GAME_IDLE_MS) end
  place(g, key, deadlines_key)
end

-- Starts the clock of the player to move (turn_ms 0 turns clocks off), sets the computer's rule
-- when the turn is the computer's, and reschedules the game.
local function start_clock(g, key, deadlines_key, turn_ms, now)
  turn_ms = tonumber(turn_ms)
  if turn_ms > 0 and g.status == 'playing' then g.deadline = now + turn_ms else g.deadline = cjson.null end
  if computer_on_turn(g) then redis.call('HSET', key, 'c', now) elseif has_computer(g) then redis.call('HDEL', key, 'c') end
  schedule(g, key, deadlines_key)
end

-- `seat` goes out of playing game g for `reason` (resign, timeout, abandoned: variant_out). With one
-- player left the game ends; otherwise the leaver no longer holds a seat (it leaves its list of
-- unfinished games and has no abandonment clock) and the clock restarts if the turn passed. Bumps
-- the version and publishes. Returns nil, or an error code (nothing changed).
local function go_out(g, key, deadlines_key, seat, reason, turn_ms, ttl, now, channel)
  local turn = g.turn
  local err = variant_out(g, seat, reason)
  if err then return err end
  g.version = g.version + 1
  if g.status ~= 'playing' then
    end_game(g, key, deadlines_key, ttl)
  else
    local p = seated(g, seat)
    if p and not is_computer(p) then release(p.id, g.id) end
    redis.call('HDEL', key, 'a' .. seat)
    if g.turn ~= turn then start_clock(g, key, deadlines_key, turn_ms, now) else schedule(g, key, deadlines_key) end
  end
  save_and_publish(key, channel, g)
  return nil
end
