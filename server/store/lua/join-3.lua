-- join: takes the first free seat (O, then Y, Z) of the private game an invite code names; the game
-- starts (turn X, clock running) when every seat is taken. Step (b) of S2 (store/seats.ts): the
-- joiner reserved the game in its games index first; a refusal is released by the caller. The code
-- key (its own bucket) was read by the caller; the game's own `code` must be the one presented.
-- KEYS[1] game; KEYS[1] the bucket's deadlines; KEYS[2] its outbox
-- ARGV: player id, name, game id the code named when read, turn ms, abandon ms, idem ('' for none), game channel, code
-- Returns {'OK', version, game id} ('R' for 'OK': a resent idem) | {'E', code}
-- @include presence
local prev = idem_recall(KEYS[1], ARGV[1], ARGV[6])
if prev then return prev end
local g = load_game(KEYS[1])
if not g or g.code ~= ARGV[8] then return {'E', 'NOT_FOUND'} end
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
local now = now_ms()
g.players[free[1]] = {id = ARGV[1], name = ARGV[2]}
g.version = g.version + 1
apply_presence(KEYS[1], g, {[free[1]] = true}, now, ARGV[5], ARGV[7])
if #free == 1 then
  g.status = 'playing'
  g.turn = 'X'
  redis.call('HDEL', KEYS[1], 'ix')
  start_clock(g, KEYS[1], KEYS[2], ARGV[4], now)
else
  schedule(g, KEYS[1], KEYS[2])
end
save_and_publish(KEYS[1], ARGV[7], g)
return idem_record(KEYS[1], ARGV[1], ARGV[6], {'OK', g.version, g.id})
