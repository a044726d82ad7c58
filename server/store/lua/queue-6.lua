-- queue: quick match, one queue per variant (includes/queue.lua). A game of N players starts when N
-- live players asked for the same variant: the longest-waiting N-1 on any gateway and this one,
-- seated in queue order; otherwise the player waits (leaving any other queue it waited in). A
-- queued player whose connections are all gone is dropped, never matched.
-- KEYS[1] classic queue; KEYS[2] classic queue names; KEYS[3] player's games set; KEYS[4] deadlines;
-- KEYS[5] the variant's queue; KEYS[6] its names (KEYS[1] and KEYS[2] again for the classic game)
-- ARGV: player id, name, id for a new game, max unfinished games, turn ms, abandon ms, idem ('' for none),
--   variant JSON ('' classic), variant name ('' classic)
-- Returns {'OK', 'queued'} | {'OK', 'matched', game id} ('R' for 'OK': a resent idem) | {'E', code}
-- @include presence
local prev = idem_recall(ARGV[1], ARGV[7])
if prev then return prev end
local pid, vname = ARGV[1], ARGV[9]
local max = tonumber(ARGV[4])
if redis.call('SCARD', KEYS[3]) >= max then return {'E', 'ALREADY_IN_GAME'} end
local now = now_ms()
local waits_in = queue_place(pid, KEYS[1], KEYS[2])
if waits_in == vname then
  redis.call('HSET', KEYS[6], pid, ARGV[2])
  return idem_record(pid, ARGV[7], {'OK', 'queued'})
end
if waits_in then leave_queue(pid, KEYS[1], KEYS[2]) end
local v = variant_of({variant = vname ~= '' and cjson.decode(ARGV[8]) or nil})
local function drop(other)
  leave_queue(other, KEYS[1], KEYS[2])
  redis.call('ZREM', KEYS[5], other)
  redis.call('HDEL', KEYS[6], other)
end
local found = {}
for _, other in ipairs(redis.call('ZRANGE', KEYS[5], 0, 31)) do
  if #found == v.players - 1 then break end
  if other ~= pid then
    local live = is_online(fmt(T.conns, other), T.inst) and redis.call('SCARD', fmt(T.games, other)) < max
    local oname = redis.call('HGET', KEYS[6], other)
    if live and oname then found[#found + 1] = {id = other, name = oname} else drop(other) end
  end
end
if #found < v.players - 1 then
  enter_queue(pid, ARGV[2], vname, now, KEYS[1], KEYS[2])
  return idem_record(pid, ARGV[7], {'OK', 'queued'})
end
for _, p in ipairs(found) do drop(p.id) end
found[#found + 1] = {id = pid, name = ARGV[2]}
local id = ARGV[3]
start_game(fmt(T.game, id), id, v, found, KEYS[4], T, ARGV[5], ARGV[6], now)
for _, p in ipairs(found) do notice(fmt(T.pch, p.id), 'M ' .. id) end
return idem_record(pid, ARGV[7], {'OK', 'matched', id})
