-- join: takes the first free seat (O, then Y, Z) of the private game an invite code names; the game
-- starts (turn X, clock running) when every seat is taken.
-- KEYS[1] invite code; KEYS[2] game; KEYS[3] joiner's games set; KEYS[4] queue; KEYS[5] queue names; KEYS[6] deadlines
-- ARGV: player id, name, game id the code named when read, max unfinished games, turn ms, abandon ms, idem ('' for none)
-- Returns {'OK', version, game id} ('R' for 'OK': a resent idem) | {'E', code}
-- @include presence
local prev = idem_recall(ARGV[1], ARGV[7])
if prev then return prev end
if redis.call('GET', KEYS[1]) ~= ARGV[3] then return {'E', 'NOT_FOUND'} end
local g = load_game(KEYS[2])
if not g then return {'E', 'NOT_FOUND'} end
if seat_of(g, ARGV[1]) then return {'E', 'ALREADY_IN_GAME'} end
if g.status ~= 'waiting' then
  if g.status == 'playing' then return {'E', 'GAME_FULL'} end
  return {'E', 'NOT_FOUND'}
end
local free = {}
for i = 2, variant_of(g).players do
  if not seated(g, SEATS[i]) then free[#free + 1] = SEATS[i] end
end
if #free == 0 then return {'E', 'GAME_FULL'} end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[4]) then return {'E', 'ALREADY_IN_GAME'} end
local now = now_ms()
g.players[free[1]] = {id = ARGV[1], name = ARGV[2]}
g.version = g.version + 1
apply_presence(KEYS[2], g, seats_online(g, T), now, ARGV[6], T, true)
if #free == 1 then
  g.status = 'playing'
  g.turn = 'X'
  redis.call('HDEL', KEYS[2], 'ix')
  start_clock(g, KEYS[2], KEYS[6], ARGV[5], now)
else
  schedule(g, KEYS[2], KEYS[6])
end
redis.call('SADD', KEYS[3], g.id)
leave_queue(ARGV[1], KEYS[4], KEYS[5])
save_and_publish(KEYS[2], fmt(T.gch, g.id), g)
notice(fmt(T.pch, ARGV[1]), 'G ' .. g.id)
return idem_record(ARGV[1], ARGV[7], {'OK', g.version, g.id})
