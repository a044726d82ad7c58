-- Presence of the players of a game, and seating players in a new game (quick match, rematch).
-- A game script never reads a player's connections (another slot): a seat's presence is what the
-- presence steps (presence-3.lua) brought it, each with the player's presence sequence, or online
-- when the seat was taken (its player was acting then).
-- @include game

-- Presence. Game hash fields: oX..oZ '1'|'0' whether the seat's player is online; aX..aZ the epoch
-- ms at which that seat forfeits as abandoned (while its player is offline, abandon_ms > 0);
-- p `SEQ FRAME`, the newest presence message, SEQ counting the game's presence changes. A presence
-- change is not a game change: the snapshot and its version stay as they are. The computer's seats
-- have no fields: they are always online.
-- `online` maps seats to booleans (seats left out keep their value). On a change, writes the
-- fields and, when `channel` is given, sends `P SEQ {"t":"presence",...}` on it (a key per seat of
-- the variant, in turn order). Returns whether anything changed (the caller reschedules).
local function apply_presence(key, g, online, now, abandon_ms, channel)
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
  if channel then notice(channel, 'P ' .. seq .. ' ' .. frame) end
  return true
end

-- Every seat held by a person, online (a seat is taken by a player who is acting).
local function all_online(g)
  local online = {}
  for _, s in ipairs(human_seats(g)) do online[s] = true end
  return online
end

-- Seats players (references in seat order: X, O, ...) in a new playing game of variant v (quick
-- match and rematch). `online` maps seats to presence (nil: every person online); `seqs` seats to
-- the presence sequence that presence came with (nil: 0). The caller has reserved the game in each
-- person's games index (S2/S3), and sends the notices.
local function start_game(key, id, v, players, online, seqs, deadlines_key, turn_ms, abandon_ms, now, channel)
  local seats = {}
  for i, p in ipairs(players) do seats[SEATS[i]] = p end
  local g = new_game(id, cjson.null, v, seats, 'playing')
  apply_presence(key, g, online or all_online(g), now, abandon_ms, nil)
  for s, q in pairs(seqs or {}) do redis.call('HSET', key, 'q' .. s, q) end
  start_clock(g, key, deadlines_key, turn_ms, now)
  save_and_publish(key, channel, g)
  return g
end
