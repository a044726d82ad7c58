-- create: a new private game waiting for its other players; the creator takes seat X. With `vs
-- computer` the computer takes every other seat and the game starts at once, with no invite code.
-- Step (c) of sequence S2 (store/seats.ts): the creator reserved the game id in its games index
-- first, and the invite code (in the code's own bucket) names the game already. The id is the same
-- for a resend of the same idem (the reservation recorded it), so a second run finds the game it
-- made and answers it again.
-- KEYS[1] game; KEYS[2] the bucket's deadlines; KEYS[3] its outbox
-- ARGV: player id, name, game id, code ('' vs computer), invite TTL ms, abandon ms, variant JSON ('' classic),
--   vs computer 1|0, turn ms, game channel
-- Returns {'OK', version, game id, code ('' vs computer)} ('R' for 'OK': made before) | {'E', 'CODE_TAKEN'}
-- (the id names another player's game: the caller retries with other ones)
-- @include presence
local prev = load_game(KEYS[1])
if prev then
  if seat_of(prev, ARGV[1]) ~= 'X' then return {'E', 'CODE_TAKEN'} end
  return {'R', prev.version, prev.id, prev.code == cjson.null and '' or prev.code}
end
local computer = ARGV[8] == '1'
local now = now_ms()
local v = variant_of({variant = ARGV[7] ~= '' and cjson.decode(ARGV[7]) or nil})
local players = {X = {id = ARGV[1], name = ARGV[2]}}
if computer then for i = 2, v.players do players[SEATS[i]] = computer_player(ARGV[3], SEATS[i]) end end
local g = new_game(ARGV[3], computer and cjson.null or ARGV[4], v, players, computer and 'playing' or 'waiting')
apply_presence(KEYS[1], g, {X = true}, now, ARGV[6], nil)
if computer then
  start_clock(g, KEYS[1], KEYS[2], ARGV[9], now)
else
  local ttl = tonumber(ARGV[5])
  if ttl > 0 then redis.call('HSET', KEYS[1], 'ix', now + ttl) end
  schedule(g, KEYS[1], KEYS[2])
end
save_and_publish(KEYS[1], ARGV[10], g)
return {'OK', g.version, ARGV[3], computer and '' or ARGV[4]}
