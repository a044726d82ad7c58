-- create: a new private game waiting for its second player; the creator takes seat X.
-- KEYS[1] creator's games set; KEYS[2] game; KEYS[3] invite code; KEYS[4] queue; KEYS[5] queue names; KEYS[6] deadlines
-- ARGV: player id, name, game id, code, max unfinished games, invite TTL ms, abandon ms, idem ('' for none)
-- Returns {'OK', version, game id, code} ('R' for 'OK': a resent idem) | {'E', code}; 'CODE_TAKEN' asks the caller to retry with another code
-- @include game
local prev = idem_recall(ARGV[1], ARGV[8])
if prev then return prev end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[5]) then return {'E', 'ALREADY_IN_GAME'} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'E', 'CODE_TAKEN'} end
local now = now_ms()
local g = new_game(ARGV[3], ARGV[4], {id = ARGV[1], name = ARGV[2]}, cjson.null, 'waiting')
redis.call('SET', KEYS[3], ARGV[3])
redis.call('SADD', KEYS[1], ARGV[3])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
local ttl = tonumber(ARGV[6])
if ttl > 0 then redis.call('HSET', KEYS[2], 'ix', now + ttl) end
apply_presence(KEYS[2], g, seats_online(g, T), now, ARGV[7], T, false)
schedule(g, KEYS[2], KEYS[6])
save_and_publish(KEYS[2], fmt(T.gch, ARGV[3]), g)
notice(fmt(T.pch, ARGV[1]), 'G ' .. ARGV[3])
return idem_record(ARGV[1], ARGV[8], {'OK', g.version, ARGV[3], ARGV[4]})
