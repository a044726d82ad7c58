-- rematch: asks for a rematch of a finished game; once both players asked, a new game starts with
-- the seats swapped, announced as `R FROM TO` on the old game's channel (spectators) and on both
-- players' channels. Asking again is harmless. An ask refused (ALREADY_IN_GAME) is not recorded:
-- it cannot start the game later. Starting seats both players, so both leave the quick-match queue
-- (as create and join do).
-- KEYS[1] old game; KEYS[2] new game; KEYS[3] deadlines; KEYS[4] queue; KEYS[5] queue names
-- ARGV: player id, id for the new game, max unfinished games, turn ms, abandon ms, idem ('' for none)
-- Returns {'OK', 'asked'} | {'OK', 'started', new game id} ('R' for 'OK': a resent idem) | {'E', code}
-- @include game
local prev = idem_recall(ARGV[1], ARGV[6])
if prev then return prev end
local g = load_game(KEYS[1])
if not g then return {'E', 'NOT_FOUND'} end
local seat = seat_of(g, ARGV[1])
if not seat then return {'E', 'NOT_A_PLAYER'} end
if g.status == 'waiting' or g.status == 'playing' then return {'E', 'GAME_IN_PROGRESS'} end
if g.players.X == cjson.null or g.players.O == cjson.null then return {'E', 'GAME_OVER'} end
local next_id = redis.call('HGET', KEYS[1], 'next')
if next_id then return idem_record(ARGV[1], ARGV[6], {'OK', 'started', next_id}) end
local max = tonumber(ARGV[3])
local both = redis.call('HGET', KEYS[1], 'r' .. other(seat)) == '1'
for _, s in ipairs(both and {'X', 'O'} or {seat}) do
  if redis.call('SCARD', fmt(T.games, g.players[s].id)) >= max then return {'E', 'ALREADY_IN_GAME'} end
end
redis.call('HSET', KEYS[1], 'r' .. seat, '1')
if not both then return idem_record(ARGV[1], ARGV[6], {'OK', 'asked'}) end
local id = ARGV[2]
for _, s in ipairs({'X', 'O'}) do
  redis.call('ZREM', KEYS[4], g.players[s].id)
  redis.call('HDEL', KEYS[5], g.players[s].id)
end
start_pair_game(KEYS[2], id, g.players.O, g.players.X, KEYS[3], T, ARGV[4], ARGV[5], now_ms())
redis.call('HSET', KEYS[1], 'next', id)
local started = 'R ' .. g.id .. ' ' .. id
notice(fmt(T.gch, g.id), started)
notice(fmt(T.pch, g.players.X.id), started)
notice(fmt(T.pch, g.players.O.id), started)
return idem_record(ARGV[1], ARGV[6], {'OK', 'started', id})
