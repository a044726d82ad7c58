-- rematch: asks for a rematch of a finished game; once every player of it asked (the computer
-- always has), a new game of the same variant starts with the seats rotated by one (each player
-- takes the next seat in turn order, the last one X: with two players X and O swap), announced as
-- `R FROM TO` on the old game's channel (spectators) and on every player's channel. Asking again is
-- harmless. An ask refused (ALREADY_IN_GAME) is not recorded: it cannot start the game later.
-- Starting seats every player, so each leaves the quick-match queue (as create and join do).
-- KEYS[1] old game; KEYS[2] new game; KEYS[3] deadlines; KEYS[4] queue; KEYS[5] queue names
-- ARGV: player id, id for the new game, max unfinished games, turn ms, abandon ms, idem ('' for none)
-- Returns {'OK', 'asked'} | {'OK', 'started', new game id[, 'cpu']} ('R' for 'OK': a resent idem; 'cpu': the
-- computer opens the new game) | {'E', code}
-- @include presence
local prev = idem_recall(ARGV[1], ARGV[6])
if prev then return prev end
local g = load_game(KEYS[1])
if not g then return {'E', 'NOT_FOUND'} end
local seat = seat_of(g, ARGV[1])
if not seat then return {'E', 'NOT_A_PLAYER'} end
if g.status == 'waiting' or g.status == 'playing' then return {'E', 'GAME_IN_PROGRESS'} end
local v = variant_of(g)
for i = 1, v.players do if not seated(g, SEATS[i]) then return {'E', 'GAME_OVER'} end end
local next_id = redis.call('HGET', KEYS[1], 'next')
if next_id then return idem_record(ARGV[1], ARGV[6], {'OK', 'started', next_id}) end
local people = human_seats(g)
local all = true
for _, s in ipairs(people) do
  if s ~= seat and redis.call('HGET', KEYS[1], 'r' .. s) ~= '1' then all = false end
end
for _, s in ipairs(all and people or {seat}) do
  if redis.call('SCARD', fmt(T.games, g.players[s].id)) >= tonumber(ARGV[3]) then return {'E', 'ALREADY_IN_GAME'} end
end
redis.call('HSET', KEYS[1], 'r' .. seat, '1')
if not all then return idem_record(ARGV[1], ARGV[6], {'OK', 'asked'}) end
local id = ARGV[2]
local rotated = rotate_seats(g.players, v.players)
local players = {}
for i = 1, v.players do
  local p = rotated[SEATS[i]]
  if is_computer(p) then players[i] = computer_player(id, SEATS[i])
  else
    players[i] = {id = p.id, name = p.name}
    leave_queue(p.id, KEYS[4], KEYS[5])
  end
end
local ng = start_game(KEYS[2], id, v, players, KEYS[3], T, ARGV[4], ARGV[5], now_ms())
redis.call('HSET', KEYS[1], 'next', id)
local started = 'R ' .. g.id .. ' ' .. id
notice(fmt(T.gch, g.id), started)
for _, s in ipairs(people) do notice(fmt(T.pch, g.players[s].id), started) end
local reply = {'OK', 'started', id}
if computer_on_turn(ng) then reply[4] = 'cpu' end
return idem_record(ARGV[1], ARGV[6], reply)
