-- Quick-match queues: the classic one (its keys passed in by the caller, KEYS of the script) and one
-- per variant (T.vqueue and T.vnames, by the variant's name RxCkKpN). A player waits in one queue at
-- most; while it waits in a variant's, its record T.pqueue holds that variant's name.
-- @include game

-- The queue and names keys of a variant's name ('' or nil: the classic queue).
local function queue_keys(name, queue_key, names_key)
  if name == nil or name == '' then return queue_key, names_key end
  return fmt(T.vqueue, name), fmt(T.vnames, name)
end

-- Where a player waits: the variant's name ('' classic), its score and display name; nil when it waits nowhere.
local function queue_place(pid, queue_key, names_key)
  local name = redis.call('GET', fmt(T.pqueue, pid)) or ''
  local q, n = queue_keys(name, queue_key, names_key)
  local score = redis.call('ZSCORE', q, pid)
  if not score then return nil end
  return name, score, redis.call('HGET', n, pid)
end

-- Takes a player out of whichever queue it waits in. Returns 1 when it waited, else 0.
local function leave_queue(pid, queue_key, names_key)
  local n = redis.call('ZREM', queue_key, pid)
  redis.call('HDEL', names_key, pid)
  local name = redis.call('GET', fmt(T.pqueue, pid))
  if name then
    n = n + redis.call('ZREM', fmt(T.vqueue, name), pid)
    redis.call('HDEL', fmt(T.vnames, name), pid)
    redis.call('DEL', fmt(T.pqueue, pid))
  end
  return n
end

-- Puts a player in the queue of variant `name` ('' classic) at `score`.
local function enter_queue(pid, pname, name, score, queue_key, names_key)
  local q, n = queue_keys(name, queue_key, names_key)
  redis.call('ZADD', q, 'NX', score, pid)
  redis.call('HSET', n, pid, pname)
  if name ~= '' then redis.call('SET', fmt(T.pqueue, pid), name) end
end

-- The held form of a queue place (see reap-6.lua): `SCORE NAME` for the classic queue,
-- `VARIANT@SCORE NAME` for a variant's.
local function held_place(name, score, pname)
  if name == '' then return score .. ' ' .. pname end
  return name .. '@' .. score .. ' ' .. pname
end

-- Puts a player whose gateway was reaped while it waited for a quick match back in its queue at
-- its old place (see reap-6.lua), once that gateway records its connection again; not when it has
-- entered a queue since.
local function restore_queue_place(pid, queue_key, names_key)
  local held = redis.call('GET', fmt(T.held, pid))
  if not held then return end
  redis.call('DEL', fmt(T.held, pid))
  local name, score, pname = string.match(held, '^(%d+x%d+k%d+p%d+)@(%S+) (.*)$')
  if not name then
    name = ''
    score, pname = string.match(held, '^(%S+) (.*)$')
  end
  if score and not queue_place(pid, queue_key, names_key) then enter_queue(pid, pname, name, score, queue_key, names_key) end
end
