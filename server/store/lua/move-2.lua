-- move: places the sender's mark (includes/variant.lua: variant_move, the one rule set of every
-- variant; the win is looked for only on the lines through the cell played). `mid` is the move's
-- idempotency key: a mid this player already had applied in this game answers OK with the version
-- it was first applied at, and changes nothing.
-- KEYS[1] game; KEYS[2] deadlines
-- ARGV: player id, cell, mid, turn ms, finished-game TTL s
-- Returns {'OK', version, status[, 'cpu']} when applied ('cpu': the turn passed to the computer),
-- {'OK', version} for a repeated mid, or {'E', code}
-- @include game
local mid_field = 'm:' .. ARGV[1] .. ':' .. ARGV[3]
local raw = redis.call('HMGET', KEYS[1], 's', mid_field)
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
if g.status == 'playing' then
  start_clock(g, KEYS[1], KEYS[2], ARGV[4], now_ms())
else
  end_game(g, KEYS[1], KEYS[2], T, ARGV[5])
end
redis.call('HSET', KEYS[1], mid_field, g.version)
save_and_publish(KEYS[1], fmt(T.gch, g.id), g)
if computer_on_turn(g) then return {'OK', g.version, g.status, 'cpu'} end
return {'OK', g.version, g.status}
