-- rematch: asks for a rematch of a finished game; once every player of it asked (the computer
-- always has), a new game of the same variant starts with the seats rotated by one (each player
-- takes the next seat in turn order, the last one X: with two players X and O swap), announced as
-- `R FROM TO` on the old game's channel (spectators; the store sends it to each player's channel).
-- Asking again is harmless. The new game's id is derived from the old one (keys.ts rematchId), in
-- the same bucket, and each asker reserved it in its games index before asking (S2, store/seats.ts):
-- an ask refused there (ALREADY_IN_GAME) never reaches this script. The new game's presence is the
-- old game's (same slot), with the presence sequences the seats had.
-- KEYS[1] old game; KEYS[2] new game; KEYS[3] the bucket's deadlines; KEYS[4] its outbox
-- ARGV: player id, id for the new game, turn ms, abandon ms, idem ('' for none), old game channel, new game channel
-- Returns {'OK', 'asked'} | {'OK', 'started', new game id[, 'cpu']} ('R' for 'OK': a resent idem; 'cpu': the
-- computer opens the new game) | {'E', code}
-- @include presence
local prev = idem_recall(KEYS[1], ARGV[1], ARGV[5])
if prev then return prev end
local g = load_game(KEYS[1])
if not g then return {'E', 'NOT_FOUND'} end
local seat = seat_of(g, ARGV[1])
if not seat then return {'E', 'NOT_A_PLAYER'} end
if g.status == 'waiting' or g.status == 'playing' then return {'E', 'GAME_IN_PROGRESS'} end
local v = variant_of(g)
for i = 1, v.players do if not seated(g, SEATS[i]) then return {'E', 'GAME_OVER'} end end
local next_id = redis.call('HGET', KEYS[1], 'next')
if next_id then return idem_record(KEYS[1], ARGV[1], ARGV[5], {'OK', 'started', next_id}) end
local people = human_seats(g)
local all = true
for _, s in ipairs(people) do
  if s ~= seat and redis.call('HGET', KEYS[1], 'r' .. s) ~= '1' then all = false end
end
redis.call('HSET', KEYS[1], 'r' .. seat, '1')
if not all then return idem_record(KEYS[1], ARGV[1], ARGV[5], {'OK', 'asked'}) end
local id = ARGV[2]
local rotated = rotate_seats(g.players, v.players)
local pres = redis.call('HMGET', KEYS[1], 'oX', 'oO', 'oY', 'oZ', 'qX', 'qO', 'qY', 'qZ')
local was = {}
for i = 1, v.players do
  local p = seated(g, SEATS[i])
  if not is_computer(p) then was[p.id] = {pres[i] == '1', pres[4 + i] or '0'} end
end
local players, online, seqs = {}, {}, {}
for i = 1, v.players do
  local p = rotated[SEATS[i]]
  if is_computer(p) then players[i] = computer_player(id, SEATS[i])
  else
    players[i] = {id = p.id, name = p.name}
    online[SEATS[i]] = was[p.id][1]
    seqs[SEATS[i]] = was[p.id][2]
  end
end
local ng = start_game(KEYS[2], id, v, players, online, seqs, KEYS[3], ARGV[3], ARGV[4], now_ms(), ARGV[7])
redis.call('HSET', KEYS[1], 'next', id)
notice(ARGV[6], 'R ' .. g.id .. ' ' .. id)
local reply = {'OK', 'started', id}
if computer_on_turn(ng) then reply[4] = 'cpu' end
return idem_record(KEYS[1], ARGV[1], ARGV[5], reply)
