-- move: places the sender's mark (includes/variant.lua: variant_move, the one rule set of every
-- variant; the win is looked for only on the lines through the cell played). `mid` is the move's
-- idempotency key: a mid this player already had applied in this game answers OK with the version
-- it was first applied at, and changes nothing.
-- KEYS[1] game; KEYS[2] its bucket's deadlines; KEYS[3] its bucket's outbox (sentinel)
-- ARGV: player id, cell, mid, turn ms, finished-game TTL s, game channel
-- Returns {'OK', version, status[, 'cpu']} when applied ('cpu': the turn passed to the computer),
-- {'OK', version} for a repeated mid, or {'E', code}
-- The script run most: one HMGET of all it reads, one TIME, and its hash writes in one HSET (with
-- the snapshot; write_state), then the ZADD of its next rule and the PUBLISH. Its include is
-- includes/core.lua alone (see there why). docs/BENCHMARKS.md has its cost.
-- @include core
local mid_field = 'm:' .. ARGV[1] .. ':' .. ARGV[3]
-- 1 the snapshot, 2 the mid's version, 3-6 presence oX..oZ, 7-10 abandonment aX..aZ, 11 the
-- computer's rule c (not ix: a playing game has none; not il: the move sets it anew). Each field
-- named costs a scan of the hash (a listpack) when it is absent.
local raw = redis.call('HMGET', KEYS[1], 's', mid_field, 'oX', 'oO', 'oY', 'oZ', 'aX', 'aO', 'aY', 'aZ', 'c')
if not raw[1] then return {'E', 'NOT_FOUND'} end
local g = cjson.decode(raw[1])
local v = variant_of(g)
local cell = tonumber(ARGV[2])
if cell < 0 or cell >= v.rows * v.cols then return {'E', 'BAD_CELL'} end
if raw[2] then return {'OK', tonumber(raw[2])} end
local seat = seat_of(g, ARGV[1])
if not seat then return {'E', 'NOT_A_PLAYER'} end
if g.status == 'waiting' then return {'E', 'NOT_YOUR_TURN'} end
local err = variant_move(g, seat, cell)
if err then return {'E', err} end
g.version = g.version + 1
local writes = {mid_field, g.version}
if g.status == 'playing' then
  -- the clock of the player to move (turn ms 0: clocks off), the computer's rule when the turn is
  -- the computer's (gone when it passes back from it), the idle lifetime anew, the next rule
  local now = now_ms()
  local turn_ms = tonumber(ARGV[4])
  if turn_ms > 0 then g.deadline = now + turn_ms else g.deadline = cjson.null end
  local c = raw[11]
  if computer_on_turn(g) then
    c = now
    writes[#writes + 1] = 'c'
    writes[#writes + 1] = now
  elseif c and has_computer(g) then
    redis.call('HDEL', KEYS[1], 'c')
    c = nil
  end
  local il = now + GAME_IDLE_MS
  writes[#writes + 1] = 'il'
  writes[#writes + 1] = il
  redis.call('ZADD', KEYS[2], earliest_rule(g, raw, 6, nil, il, c), g.id)
else
  end_game(g, KEYS[1], KEYS[2], ARGV[5])
end
write_state(KEYS[1], ARGV[6], g, raw, 2, writes)
if computer_on_turn(g) then return {'OK', g.version, g.status, 'cpu'} end
return {'OK', g.version, g.status}
