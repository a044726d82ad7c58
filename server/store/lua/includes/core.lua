-- The helpers every game script needs, the move script included (inlined by server/store/scripts.ts
-- at load time), on top of the rules of every variant (includes/variant.lua: the one implementation
-- of moves, lines, exits and seating, the classic game included). The rest (notices, idem records,
-- clocks and time rules, going out) is in includes/game.lua, which includes this one: every script
-- runs the whole of its includes at each call (a closure per local function), so the move, the
-- script run most, includes only this.
-- @include variant
-- @include clock
-- No key or channel name is built here: every key a script touches is one of its KEYS (all in one
-- slot), every channel one of its ARGV (server/store/keys.ts builds them all).
-- An unfinished game nobody changed for this long (ms) is aborted (the `idle` rule, field il), so
-- that no game, code or player's game list outlives its players even with every other clock off.
local GAME_IDLE_MS = __GAME_IDLE_MS__

-- Delivery (server/store/scripts.ts). OUTBOX false (REDIS_MODE=single): states and notices are
-- PUBLISHed here; Redis fsyncs the AOF before it sends any of them. OUTBOX true (sentinel): a
-- watcher must never see a change a failover can still roll back, so each is recorded in the
-- outbox of the game's bucket (the LAST of KEYS of every game script, scored by Redis time) and
-- appended to PUBS (the upvalue the loader returns beside the reply); the gateway publishes them
-- once a replica has the change, and the sweeper of the bucket republishes entries left over by
-- one that died.
local OUTBOX = __OUTBOX__

local function emit(channel, payload, entry)
  if not OUTBOX then redis.call('PUBLISH', channel, payload); return end
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[#KEYS], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), entry)
  PUBS[#PUBS + 1] = entry
  PUBS[#PUBS + 1] = channel
  PUBS[#PUBS + 1] = payload
end


-- The player holding `seat`, or nil (a free seat is cjson.null; a seat the variant lacks is nil).
local function seated(g, seat)
  local p = g.players[seat]
  if p == nil or p == cjson.null then return nil end
  return p
end

local function is_computer(p) return p ~= nil and p.computer == true end

local function seat_of(g, pid)
  for i = 1, variant_of(g).players do
    local p = seated(g, SEATS[i])
    if p and p.id == pid then return SEATS[i] end
  end
  return nil
end

-- The seats held by people (not the computer), in turn order.
local function human_seats(g)
  local seats = {}
  for i = 1, variant_of(g).players do
    local p = seated(g, SEATS[i])
    if p and not is_computer(p) then seats[#seats + 1] = SEATS[i] end
  end
  return seats
end

-- A new game of variant v (always written into the snapshot, the classic one included); `players`
-- maps seats to player references (missing: free).
local function new_game(id, code, v, players, status)
  local seats = {}
  for i = 1, v.players do seats[SEATS[i]] = players[SEATS[i]] or cjson.null end
  return {
    id = id, code = code, variant = {rows = v.rows, cols = v.cols, k = v.k, players = v.players},
    board = string.rep('.', v.rows * v.cols), turn = (status == 'playing') and 'X' or cjson.null,
    status = status, winner = cjson.null, line = cjson.null, reason = cjson.null,
    players = seats, version = 1, deadline = cjson.null,
  }
end

local function unfinished(g) return g.status == 'waiting' or g.status == 'playing' end

-- Whether the seat on turn of a playing game is the computer's.
local function computer_on_turn(g)
  if g.status ~= 'playing' or g.turn == cjson.null then return false end
  return is_computer(seated(g, g.turn))
end

-- Whether the computer holds a seat of the game (only then may it have a computer's rule).
local function has_computer(g)
  for i = 1, variant_of(g).players do
    if is_computer(seated(g, SEATS[i])) then return true end
  end
  return false
end

-- Time rules. One entry per unfinished game in the deadlines set, scored by the earliest of its
-- rules: the turn clock (the snapshot's deadline), each seat's abandonment (hash fields aX..aZ,
-- set while that seat's player is offline), the invite's expiry (field ix, waiting games), the idle
-- lifetime (field il) and the computer's turn (field c: due at once when the turn passes to a
-- computer seat, pushed one lease ahead by the gateway that claims it; see expire-3.lua).
-- earliest_rule: when game g's next rule falls due (nil: it has none), given the values of its
-- rule fields (as read by HMGET, or as the caller is writing them): aX..aZ as a[first + 1] ..
-- a[first + 4], then ix, il and c.
local function earliest_rule(g, a, first, ix, il, c)
  if not unfinished(g) then return nil end
  local at = nil
  local function consider(t)
    t = tonumber(t)
    if t and (not at or t < at) then at = t end
  end
  if g.status == 'playing' then consider(g.deadline); consider(c) end
  for i = 1, 4 do consider(a[first + i]) end
  if g.status == 'waiting' then consider(ix) end
  consider(il)
  return at
end

-- A player whose games index (another slot) is to lose game `id`: the loader returns REL beside
-- the reply (flat triples `p, GAMEID, PLAYERID`; `c, GAMEID, CODE` for a finished game's invite
-- code, in the code's own bucket) and the store releases each after the script (S4, store/seats.ts).
local function release(pid, id)
  REL[#REL + 1] = 'p'
  REL[#REL + 1] = id
  REL[#REL + 1] = pid
end

-- Marks a game finished: its people are released from their games indexes and its invite code
-- goes (release), it leaves the deadlines set, its time rules go, and its keys expire after `ttl`
-- seconds. A code the store failed to delete names a finished game until it expires (join: NOT_FOUND).
local function end_game(g, key, deadlines_key, ttl)
  for _, s in ipairs(human_seats(g)) do release(g.players[s].id, g.id) end
  if g.code ~= nil and g.code ~= cjson.null then
    REL[#REL + 1] = 'c'
    REL[#REL + 1] = g.id
    REL[#REL + 1] = g.code
  end
  g.turn = cjson.null
  g.deadline = cjson.null
  if tonumber(ttl) > 0 then redis.call('EXPIRE', key, ttl) end
  redis.call('ZREM', deadlines_key, g.id)
  redis.call('HDEL', key, 'aX', 'aO', 'aY', 'aZ', 'ix', 'il', 'c')
end

-- Writes the snapshot with the hash fields `extra` (a flat list of field, value; nil for none) in one
-- HSET, publishes it as `VERSION {"t":"state","game":...}` and returns the version. Each seated
-- player's `online` flag is the presence recorded for the game: o[first + i] is the field of seat i
-- (PRESENCE_FIELDS, as read by the caller's HMGET); the computer is always online.
local function write_state(key, channel, g, o, first, extra)
  for i = 1, variant_of(g).players do
    local p = seated(g, SEATS[i])
    if p then p.online = is_computer(p) or o[first + i] == '1' end
  end
  local json = cjson.encode(g)
  if extra then redis.call('HSET', key, 's', json, unpack(extra)) else redis.call('HSET', key, 's', json) end
  emit(channel, g.version .. ' {"t":"state","game":' .. json .. '}', 'S ' .. g.id .. ' ' .. g.version)
  return g.version
end
