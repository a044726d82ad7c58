-- connect: records a live connection again (attach, after this gateway's registration lapsed and a
-- reaper may have dropped it): step (b) of S1 without the session.
-- KEYS[1] the player's conns; KEYS[2] its presence sequence; KEYS[3] its games index
-- ARGV: connection member
-- Returns {presence sequence, game id...}
-- @include player
return with_games({add_conn(KEYS[1], KEYS[2], ARGV[1])}, KEYS[3])
