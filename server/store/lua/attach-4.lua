-- attach: records live connections of players on a gateway instance again, after its
-- registration lapsed (a stall, a Redis restart) and a reaper may have dropped them; each player
-- shows online again in its unfinished games, and a player the reaper took out of the quick-match
-- queue gets its place back.
-- KEYS[1] the instance's players index; KEYS[2] deadlines; KEYS[3] queue; KEYS[4] queue names
-- ARGV: abandon ms, then pairs: player id, connection member
-- Returns the number of connections recorded
-- @include presence
local now = now_ms()
local n = 0
for i = 2, #ARGV - 1, 2 do
  attach_conn(ARGV[i], ARGV[i + 1], KEYS[1], T)
  refresh_player(ARGV[i], KEYS[2], KEYS[3], KEYS[4], T, now, ARGV[1])
  restore_queue_place(ARGV[i], KEYS[3], KEYS[4])
  n = n + 1
end
return n
