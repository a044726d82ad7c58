-- create: a new private game waiting for its other players; the creator takes seat X. With `vs
-- computer` the computer takes every other seat and the game starts at once, with no invite code.
-- KEYS[1] creator's games set; KEYS[2] game; KEYS[3] invite code; KEYS[4] queue; KEYS[5] queue names; KEYS[6] deadlines
-- ARGV: player id, name, game id, code ('' vs computer), max unfinished games, invite TTL ms, abandon ms,
--   idem ('' for none), variant JSON ('' classic), vs computer 1|0, turn ms
-- Returns {'OK', version, game id, code ('' vs computer)} ('R' for 'OK': a resent idem) | {'E', code};
-- 'CODE_TAKEN' asks the caller to retry with another code
-- @include presence
local prev = idem_recall(ARGV[1], ARGV[8])
if prev then return prev end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[5]) then return {'E', 'ALREADY_IN_GAME'} end
local computer = ARGV[10] == '1'
if not computer and redis.call('EXISTS', KEYS[3]) == 1 then return {'E', 'CODE_TAKEN'} end
local now = now_ms()
local v = variant_of({variant = ARGV[9] ~= '' and cjson.decode(ARGV[9]) or nil})
local players = {X = {id = ARGV[1], name = ARGV[2]}}
if computer then for i = 2, v.players do players[SEATS[i]] = computer_player(ARGV[3], SEATS[i]) end end
local g = new_game(ARGV[3], computer and cjson.null or ARGV[4], v, players, computer and 'playing' or 'waiting')
redis.call('SADD', KEYS[1], ARGV[3])
leave_queue(ARGV[1], KEYS[4], KEYS[5])
apply_presence(KEYS[2], g, seats_online(g, T), now, ARGV[7], T, false)
if computer then
  start_clock(g, KEYS[2], KEYS[6], ARGV[11], now)
else
  redis.call('SET', KEYS[3], ARGV[3])
  local ttl = tonumber(ARGV[6])
  if ttl > 0 then redis.call('HSET', KEYS[2], 'ix', now + ttl) end
  schedule(g, KEYS[2], KEYS[6])
end
save_and_publish(KEYS[2], fmt(T.gch, ARGV[3]), g)
notice(fmt(T.pch, ARGV[1]), 'G ' .. ARGV[3])
return idem_record(ARGV[1], ARGV[8], {'OK', g.version, ARGV[3], computer and '' or ARGV[4]})
