-- move: places the sender's mark. `mid` is the move's idempotency key: a mid this player already
-- had applied in this game answers OK with the version it was first applied at, and changes nothing.
-- KEYS[1] game; KEYS[2] deadlines
-- ARGV: player id, cell 0..8, mid, turn ms, finished-game TTL s
-- Returns {'OK', version, status} when applied, {'OK', version} for a repeated mid, or {'E', code}
-- @include game
local mid_field = 'm:' .. ARGV[1] .. ':' .. ARGV[3]
local raw = redis.call('HMGET', KEYS[1], 's', mid_field)
if not raw[1] then return {'E', 'NOT_FOUND'} end
if raw[2] then return {'OK', tonumber(raw[2])} end
local g = cjson.decode(raw[1])
local seat = seat_of(g, ARGV[1])
if not seat then return {'E', 'NOT_A_PLAYER'} end
if g.status == 'waiting' then return {'E', 'NOT_YOUR_TURN'} end
if g.status ~= 'playing' then return {'E', 'GAME_OVER'} end
if g.turn ~= seat then return {'E', 'NOT_YOUR_TURN'} end
local cell = tonumber(ARGV[2])
if string.sub(g.board, cell + 1, cell + 1) ~= '.' then return {'E', 'CELL_TAKEN'} end
local now = now_ms()
g.board = string.sub(g.board, 1, cell) .. seat .. string.sub(g.board, cell + 2)
g.version = g.version + 1
local winner, line = winning_line(g.board)
if winner then
  g.status = 'won'; g.winner = winner; g.line = line; g.reason = 'line'
  end_game(g, KEYS[1], KEYS[2], T, ARGV[5])
elseif not string.find(g.board, '.', 1, true) then
  g.status = 'draw'
  end_game(g, KEYS[1], KEYS[2], T, ARGV[5])
else
  g.turn = other(seat)
  start_clock(g, KEYS[1], KEYS[2], ARGV[4], now)
end
redis.call('HSET', KEYS[1], mid_field, g.version)
save_and_publish(KEYS[1], fmt(T.gch, g.id), g)
return {'OK', g.version, g.status}
