-- seat: makes the game of a quick match (step (c) of S3, store/matching.ts), every player online
-- (each was waiting in the queue, which a player leaves when it goes offline). NX by id: a second
-- run (a reconciler finishing a pending match) changes nothing.
-- KEYS[1] game; KEYS[2] the bucket's deadlines; KEYS[3] its outbox
-- ARGV: game id, variant JSON ('' classic), players JSON [{id, name}, ...] in seat order, turn ms, abandon ms, game channel
-- Returns 1 when made now, 0 when it existed
-- @include presence
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local v = variant_of({variant = ARGV[2] ~= '' and cjson.decode(ARGV[2]) or nil})
start_game(KEYS[1], ARGV[1], v, cjson.decode(ARGV[3]), nil, nil, KEYS[2], ARGV[4], ARGV[5], now_ms(), ARGV[6])
return 1
