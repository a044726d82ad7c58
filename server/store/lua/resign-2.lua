-- resign: the sender loses a playing game; resigning a waiting game cancels it (aborted).
-- KEYS[1] game; KEYS[2] deadlines
-- ARGV: player id, finished-game TTL s, idem ('' for none)
-- Returns {'OK', version, status} ('R' for 'OK': a resent idem) | {'E', code}
-- @include game
local prev = idem_recall(ARGV[1], ARGV[3])
if prev then return prev end
local g = load_game(KEYS[1])
if not g then return {'E', 'NOT_FOUND'} end
local seat = seat_of(g, ARGV[1])
if not seat then return {'E', 'NOT_A_PLAYER'} end
if g.status == 'waiting' then
  g.status = 'aborted'
elseif g.status == 'playing' then
  g.status = 'won'; g.winner = other(seat); g.reason = 'resign'
else
  return {'E', 'GAME_OVER'}
end
g.version = g.version + 1
end_game(g, KEYS[1], KEYS[2], T, ARGV[2])
save_and_publish(KEYS[1], fmt(T.gch, g.id), g)
return idem_record(ARGV[1], ARGV[3], {'OK', g.version, g.status})
