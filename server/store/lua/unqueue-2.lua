-- unqueue: leaves the quick-match queue the player waits in, whichever variant's (harmless when not queued).
-- KEYS[1] classic queue; KEYS[2] classic queue names; ARGV: player id, idem ('' for none)
-- Returns {'OK', 1 if it was queued else 0} ('R' for 'OK': a resent idem)
-- @include queue
local prev = idem_recall(ARGV[1], ARGV[2])
if prev then return prev end
return idem_record(ARGV[1], ARGV[2], {'OK', leave_queue(ARGV[1], KEYS[1], KEYS[2])})
