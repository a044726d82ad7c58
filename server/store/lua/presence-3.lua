-- presence: step (c) of S1 (store/presence.ts): a player's seat in one game goes online or offline,
-- with the player's presence sequence at that change (its pseq, bumped on the player's slot each
-- time it goes online or offline). Applied only when newer than the sequence the seat last got
-- (field qX..qZ): steps arriving late or twice change nothing (invariant P2).
-- KEYS[1] game; KEYS[2] the bucket's deadlines; KEYS[3] its outbox
-- ARGV: player id, online 1|0, presence sequence, abandon ms, game channel
-- Returns 1 when applied, 0 when not (no such unfinished game, not seated, not newer)
-- @include presence
local g = load_game(KEYS[1])
if not g or not unfinished(g) then return 0 end
local seat = seat_of(g, ARGV[1])
if not seat or is_out(g.out, seat) then return 0 end
local seq = tonumber(ARGV[3])
if seq <= (tonumber(redis.call('HGET', KEYS[1], 'q' .. seat)) or 0) then return 0 end
redis.call('HSET', KEYS[1], 'q' .. seat, seq)
if apply_presence(KEYS[1], g, {[seat] = ARGV[2] == '1'}, now_ms(), ARGV[4], ARGV[5]) then place(g, KEYS[1], KEYS[2]) end
return 1
