-- reap: cleans up after a gateway instance that died without saying goodbye (SIGKILL, lost host).
-- Any gateway may call it for an instance whose key has lapsed; each call takes up to `batch`
-- players out of the instance's index (SPOP: no player is handled twice), drops their connections
-- on that instance and refreshes their presence: a player left offline leaves the queue, shows
-- offline in its unfinished games and starts their abandonment clocks. Once the index is empty
-- the instance leaves the instances set. Does nothing while the instance key exists, nor while the
-- store is settling after an outage (includes/game.lua store_state: the instance may be alive and
-- not have renewed yet). A player taken out of the queue keeps its place for `hold` ms
-- (heldQueuePlace, whichever variant's queue it waited in): if the instance was only cut off,
-- attach puts it back.
-- KEYS[1] instance key; KEYS[2] instance's players index; KEYS[3] instances set; KEYS[4] deadlines;
-- KEYS[5] queue; KEYS[6] queue names
-- ARGV: instance id, batch size, abandon ms, hold ms
-- Returns {players handled, players left} or {-1, 0} when the instance is alive
-- @include presence
if redis.call('EXISTS', KEYS[1]) == 1 then return {-1, 0} end
local now = now_ms()
if select(2, store_state(now)) then return {-1, 0} end
local prefix = ARGV[1] .. '|'
local pids = redis.call('SPOP', KEYS[2], tonumber(ARGV[2]))
for _, pid in ipairs(pids) do
  local conns = fmt(T.conns, pid)
  for _, c in ipairs(redis.call('SMEMBERS', conns)) do
    if string.sub(c, 1, #prefix) == prefix then redis.call('SREM', conns, c) end
  end
  local queue, place, name = queue_place(pid, KEYS[5], KEYS[6])
  if not refresh_player(pid, KEYS[4], KEYS[5], KEYS[6], T, now, ARGV[3]) and place and name then
    redis.call('SET', fmt(T.held, pid), held_place(queue, place, name), 'PX', ARGV[4])
  end
end
local left = redis.call('SCARD', KEYS[2])
if left == 0 then redis.call('SREM', KEYS[3], ARGV[1]) end
return {#pids, left}
