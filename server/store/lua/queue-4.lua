-- queue: quick match. Pairs the player with the longest-waiting live player on any gateway, or
-- queues it. A queued player whose connections are all gone is dropped, never matched.
-- KEYS[1] queue; KEYS[2] queue names; KEYS[3] player's games set; KEYS[4] deadlines
-- ARGV: player id, name, id for a new game, max unfinished games, turn ms, abandon ms, idem ('' for none)
-- Returns {'OK', 'queued'} | {'OK', 'matched', game id} ('R' for 'OK': a resent idem) | {'E', code}
-- @include game
local prev = idem_recall(ARGV[1], ARGV[7])
if prev then return prev end
local pid = ARGV[1]
local max = tonumber(ARGV[4])
if redis.call('SCARD', KEYS[3]) >= max then return {'E', 'ALREADY_IN_GAME'} end
local now = now_ms()
if redis.call('ZSCORE', KEYS[1], pid) then
  redis.call('HSET', KEYS[2], pid, ARGV[2])
  return idem_record(pid, ARGV[7], {'OK', 'queued'})
end
for _, other in ipairs(redis.call('ZRANGE', KEYS[1], 0, 31)) do
  if other ~= pid then
    local live = is_online(fmt(T.conns, other), T.inst) and redis.call('SCARD', fmt(T.games, other)) < max
    local oname = redis.call('HGET', KEYS[2], other)
    redis.call('ZREM', KEYS[1], other)
    redis.call('HDEL', KEYS[2], other)
    if live and oname then
      local id = ARGV[3]
      start_pair_game(fmt(T.game, id), id, {id = other, name = oname}, {id = pid, name = ARGV[2]}, KEYS[4], T, ARGV[5], ARGV[6], now)
      notice(fmt(T.pch, other), 'M ' .. id)
      notice(fmt(T.pch, pid), 'M ' .. id)
      return idem_record(pid, ARGV[7], {'OK', 'matched', id})
    end
  end
end
redis.call('ZADD', KEYS[1], now, pid)
redis.call('HSET', KEYS[2], pid, ARGV[2])
return idem_record(pid, ARGV[7], {'OK', 'queued'})
