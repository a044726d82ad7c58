-- reserve: step (a) of S2 and S3 (store/seats.ts, store/matching.ts), on the player's slot.
-- A game: adds it to the games index (idempotent by id), refused with ALREADY_IN_GAME when the
-- index is at the maximum; the player leaves its queue (the ticket is deleted and returned, the
-- caller takes it out of that queue). A queue ticket (mode 'q'): refused as well at the maximum,
-- else the ticket names the variant (the previous one returned, to leave that queue).
-- Invariant G1: a game seats a player only once it is in the player's index (reserved first).
-- The entry's score is when a reader may judge it: now, or later by ARGV[5] ms (a rematch's
-- reservation waits for the other players' asks while the old game lives).
-- With an idem key: a record already there is returned as is ({'P', JSON}: a request under way or
-- done); else `pending` is written there (10 min) with the reservation.
-- KEYS[1] games index; KEYS[2] queue ticket; KEYS[3] idem record (or a key that does not exist)
-- ARGV: mode 'g'|'q', game id | variant name, max unfinished games, pending JSON ('' none), judge after ms
-- Returns {'OK', previous ticket or '', added now 1|0} | {'E', 'ALREADY_IN_GAME'} | {'P', idem record}
local prev = ARGV[4] ~= '' and redis.call('GET', KEYS[3])
if prev then return {'P', prev} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ticket = redis.call('GET', KEYS[2]) or ''
local added = 0
if ARGV[1] == 'g' then
  if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
    added = 1
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return {'E', 'ALREADY_IN_GAME'} end
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ARGV[2])
  end
  redis.call('DEL', KEYS[2])
else
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return {'E', 'ALREADY_IN_GAME'} end
  redis.call('SET', KEYS[2], ARGV[2])
end
if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'EX', 600) end
-- the index of a player nobody hears from any more goes in time (hello and every seat renew it)
redis.call('EXPIRE', KEYS[1], 2592000)
return {'OK', ticket, added}
