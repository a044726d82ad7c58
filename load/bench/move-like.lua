-- A move-like script for measuring the Redis ceiling: the same reads, JSON decode/encode, writes,
-- clock and PUBLISH as store/lua/move.lua, on a game it creates on first use and starts again when
-- it ends, so that every call does a real move's work (a new mid each call, first free cell).
-- KEYS[1] game; KEYS[2] deadlines
-- ARGV: player id, mid, turn ms, finished-game TTL s, templates JSON
-- @include game
local mid_field = 'm:' .. ARGV[1] .. ':' .. ARGV[2]
local raw = redis.call('HMGET', KEYS[1], 's', mid_field)
if raw[2] then return {'OK', tonumber(raw[2])} end
local T = cjson.decode(ARGV[5])
local g = raw[1] and cjson.decode(raw[1]) or nil
if not g or g.status ~= 'playing' then
  local id = string.match(KEYS[1], '{g:([^}]+)}') or KEYS[1]
  g = new_game(id, cjson.null, {id = ARGV[1], name = 'Bench X'}, {id = 'bench-o', name = 'Bench O'}, 'playing')
end
local seat = g.turn
if seat == 'X' and not seat_of(g, ARGV[1]) then return {'E', 'NOT_A_PLAYER'} end
local now = now_ms()
local cell = string.find(g.board, '.', 1, true) - 1
g.board = string.sub(g.board, 1, cell) .. seat .. string.sub(g.board, cell + 2)
g.version = g.version + 1
local winner, line = winning_line(g.board)
if winner then
  g.status = 'won'; g.winner = winner; g.line = line; g.reason = 'line'
  end_game(g, KEYS[1], KEYS[2], T, ARGV[4])
elseif not string.find(g.board, '.', 1, true) then
  g.status = 'draw'
  end_game(g, KEYS[1], KEYS[2], T, ARGV[4])
else
  g.turn = other(seat)
  start_clock(g, KEYS[2], ARGV[3], now)
end
redis.call('HSET', KEYS[1], mid_field, g.version)
save_and_publish(KEYS[1], fmt(T.gch, g.id), g)
return {'OK', g.version}
