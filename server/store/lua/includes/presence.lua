-- Presence of the players of a game, and seating players in a new game (quick match, rematch).
-- @include queue

-- Whether a player has a live connection: any entry of its conns set whose instance key exists
-- (or, while the store is settling after an outage, whose instance may still renew). Dead entries
-- are removed on the way.
local function is_online(conns_key, instance_tpl)
  local live = false
  local settling = nil
  for _, c in ipairs(redis.call('SMEMBERS', conns_key)) do
    local inst = string.match(c, '^([^|]+)|')
    if inst and redis.call('EXISTS', fmt(instance_tpl, inst)) == 1 then live = true
    else
      if settling == nil then settling = select(2, store_state(now_ms())) end
      if inst and settling then live = true else redis.call('SREM', conns_key, c) end
    end
  end
  return live
end

-- Presence. Game hash fields: oX..oZ '1'|'0' whether the seat's player is online; aX..aZ the epoch
-- ms at which that seat forfeits as abandoned (while its player is offline, abandon_ms > 0);
-- p `SEQ FRAME`, the newest presence message, SEQ counting the game's presence changes. A presence
-- change is not a game change: the snapshot and its version stay as they are. The computer's seats
-- have no fields: they are always online.
-- `online` maps seats to booleans (seats left out keep their value). On a change, writes the
-- fields and, when `publish`, sends `P SEQ {"t":"presence",...}` on the game's channel (a key per
-- seat of the variant, in turn order).
-- Returns whether anything changed (the caller reschedules).
local function apply_presence(key, g, online, now, abandon_ms, T, publish)
  local n = variant_of(g).players
  local cur = redis.call('HMGET', key, unpack(PRESENCE_FIELDS))
  local changed = false
  for i = 1, n do
    local s = SEATS[i]
    if online[s] ~= nil then
      local v = online[s] and '1' or '0'
      if cur[i] ~= v then
        changed = true
        cur[i] = v
        redis.call('HSET', key, PRESENCE_FIELDS[i], v)
        if online[s] or tonumber(abandon_ms) <= 0 then redis.call('HDEL', key, ABANDON_FIELDS[i])
        else redis.call('HSET', key, ABANDON_FIELDS[i], now + tonumber(abandon_ms)) end
      end
    end
  end
  if not changed then return false end
  local seq = redis.call('HINCRBY', key, 'pv', 1)
  local parts = {}
  for i = 1, n do parts[i] = '"' .. SEATS[i] .. '":' .. tostring(cur[i] == '1' or is_computer(seated(g, SEATS[i]))) end
  local frame = '{"t":"presence","gameId":' .. cjson.encode(g.id) .. ',"online":{' .. table.concat(parts, ',') .. '}}'
  redis.call('HSET', key, 'p', seq .. ' ' .. frame)
  if publish then redis.call('PUBLISH', fmt(T.gch, g.id), 'P ' .. seq .. ' ' .. frame) end
  return true
end

-- Whether each seated person (not the computer) of a game is online now, by its connections.
local function seats_online(g, T)
  local online = {}
  for _, s in ipairs(human_seats(g)) do online[s] = is_online(fmt(T.conns, g.players[s].id), T.inst) end
  return online
end

-- Records a player's presence from its connections in each of its unfinished games: publishes the
-- changes, starts or cancels the abandonment clocks. A player left offline leaves the queue.
-- Returns whether the player is online.
local function refresh_player(pid, deadlines_key, queue_key, names_key, T, now, abandon_ms)
  local online = is_online(fmt(T.conns, pid), T.inst)
  if not online then leave_queue(pid, queue_key, names_key) end
  for _, id in ipairs(redis.call('SMEMBERS', fmt(T.games, pid))) do
    local key = fmt(T.game, id)
    local g = load_game(key)
    local seat = g and seat_of(g, pid)
    if seat and unfinished(g) and apply_presence(key, g, {[seat] = online}, now, abandon_ms, T, true) then
      schedule(g, key, deadlines_key)
    end
  end
  return online
end

-- Records a live connection of a player on a gateway instance: in the player's connections and
-- in the instance's index of players (what a reaper reads when the instance dies).
local function attach_conn(pid, member, index_key, T)
  redis.call('SADD', fmt(T.conns, pid), member)
  redis.call('SADD', index_key, pid)
end

-- Seats players (references in seat order: X, O, ...) in a new playing game of variant v (quick
-- match and rematch): each person gets it in its list of unfinished games; a person not online at
-- that moment starts with its abandonment clock running. The caller sends the notices.
local function start_game(key, id, v, players, deadlines_key, T, turn_ms, abandon_ms, now)
  local seats = {}
  for i, p in ipairs(players) do seats[SEATS[i]] = p end
  local g = new_game(id, cjson.null, v, seats, 'playing')
  apply_presence(key, g, seats_online(g, T), now, abandon_ms, T, false)
  start_clock(g, key, deadlines_key, turn_ms, now)
  for _, s in ipairs(human_seats(g)) do redis.call('SADD', fmt(T.games, g.players[s].id), id) end
  save_and_publish(key, fmt(T.gch, id), g)
  return g
end
