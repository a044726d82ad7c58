-- resign: the sender goes out of a playing game (includes/game.lua go_out): with two players the
-- other one wins; with more the game goes on without it until one is left. Resigning a waiting
-- game cancels it (aborted). Whoever no longer holds a seat is released from its games index after
-- the script (S4: REL, store/seats.ts).
-- KEYS[1] game; KEYS[2] the bucket's deadlines; KEYS[3] its outbox
-- ARGV: player id, finished-game TTL s, idem ('' for none), turn ms, game channel
-- Returns {'OK', version, status[, 'cpu']} ('R' for 'OK': a resent idem; 'cpu': the turn passed to
-- the computer) | {'E', code}
-- @include game
local prev = idem_recall(KEYS[1], ARGV[1], ARGV[3])
if prev then return prev end
local g = load_game(KEYS[1])
if not g then return {'E', 'NOT_FOUND'} end
local seat = seat_of(g, ARGV[1])
if not seat then return {'E', 'NOT_A_PLAYER'} end
if g.status == 'waiting' then
  g.status = 'aborted'
  g.version = g.version + 1
  end_game(g, KEYS[1], KEYS[2], ARGV[2])
  save_and_publish(KEYS[1], ARGV[5], g)
else
  local err = go_out(g, KEYS[1], KEYS[2], seat, 'resign', ARGV[4], ARGV[2], now_ms(), ARGV[5])
  if err then return {'E', err} end
end
local reply = {'OK', g.version, g.status}
if computer_on_turn(g) then reply[4] = 'cpu' end
return idem_record(KEYS[1], ARGV[1], ARGV[3], reply)
