-- Helpers shared by the game scripts (inlined by server/store/scripts.ts at load time), on top of
-- the rules of every variant (includes/variant.lua: the one implementation of moves, lines, exits
-- and seating, the classic game included).
-- @include variant
-- T: the key and channel name templates of server/store/keys.ts (`%s` for an id), written in by
-- scripts.ts when the scripts are loaded, so that no call carries or decodes them.
local T = __KEY_TEMPLATES__
-- An unfinished game nobody changed for this long (ms) is aborted (the `idle` rule, field il), so
-- that no game, code or player's game list outlives its players even with every other clock off.
local GAME_IDLE_MS = __GAME_IDLE_MS__
-- The hash fields of a game's seats, in turn order: presence, abandonment clock, rematch ask.
local PRESENCE_FIELDS = {'oX', 'oO', 'oY', 'oZ'}
local ABANDON_FIELDS = {'aX', 'aO', 'aY', 'aZ'}

local function fmt(template, id) return (string.gsub(template, '%%s', id)) end

-- Delivery (server/store/scripts.ts). OUTBOX false (REDIS_MODE=single): states and notices are
-- PUBLISHed here; Redis fsyncs the AOF before it sends any of them. OUTBOX true (sentinel): a
-- watcher must never see a change a failover can still roll back, so each is recorded in the
-- outbox (scored by Redis time) and appended to PUBS (the upvalue the loader returns beside the
-- reply); the gateway publishes them once a replica has the change, and any gateway republishes
-- entries left over by one that died.
local OUTBOX = __OUTBOX__

local function emit(channel, payload, entry)
  if not OUTBOX then redis.call('PUBLISH', channel, payload); return end
  local t = redis.call('TIME')
  redis.call('ZADD', T.outbox, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), entry)
  PUBS[#PUBS + 1] = entry
  PUBS[#PUBS + 1] = channel
  PUBS[#PUBS + 1] = payload
end

-- A notice (`G ID`, `M ID`, `R FROM TO`) on a player's or a game's channel.
local function notice(channel, payload) emit(channel, payload, 'N ' .. channel .. ' ' .. payload) end

-- Idempotency of requests (`idem`, '' when the request has none): the reply a player's request
-- got when it was applied, kept 10 minutes; a resend gets it again with 'R' in place of 'OK'
-- (the gateway answers it like the first time but counts nothing twice).
local function idem_recall(pid, idem)
  if idem == nil or idem == '' then return nil end
  local v = redis.call('GET', fmt(T.idem, pid) .. idem)
  if not v then return nil end
  local r = cjson.decode(v)
  r[1] = 'R'
  return r
end

local function idem_record(pid, idem, reply)
  if idem ~= nil and idem ~= '' then redis.call('SET', fmt(T.idem, pid) .. idem, cjson.encode(reply), 'EX', 600) end
  return reply
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The player holding `seat`, or nil (a free seat is cjson.null; a seat the variant lacks is nil).
local function seated(g, seat)
  local p = g.players[seat]
  if p == nil or p == cjson.null then return nil end
  return p
end

local function is_computer(p) return p ~= nil and p.computer == true end

-- The computer's player in `seat` of game `id` (additions of 2026-11-29: create with vs computer).
local function computer_player(id, seat) return {id = 'cpu:' .. id .. ':' .. seat, name = 'Computer', computer = true} end

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

local function load_game(key)
  local raw = redis.call('HGET', key, 's')
  if not raw then return nil end
  return cjson.decode(raw)
end

-- Writes the snapshot, publishes it as `VERSION {"t":"state","game":...}` and returns the version.
-- Each seated player's `online` flag is the presence recorded for the game at this moment (the
-- computer is always online).
local function save_and_publish(key, channel, g)
  local o = redis.call('HMGET', key, unpack(PRESENCE_FIELDS))
  for i = 1, variant_of(g).players do
    local p = seated(g, SEATS[i])
    if p then p.online = is_computer(p) or o[i] == '1' end
  end
  local json = cjson.encode(g)
  redis.call('HSET', key, 's', json)
  emit(channel, g.version .. ' {"t":"state","game":' .. json .. '}', 'S ' .. g.id .. ' ' .. g.version)
  return g.version
end

-- The store's availability (hash T.clock, kept by heartbeat-4.lua). `unrecorded`: no gateway has
-- written a heartbeat for longer than the outage gap, so the store is just back from an outage the
-- heartbeat has not recorded yet; `settling`: that, or the store came back less than `grace` ago.
-- While settling, a lapsed registration proves nothing: its gateway may be alive and not have had
-- its chance to renew yet.
local function store_state(now)
  local c = redis.call('HMGET', T.clock, 'alive', 'up', 'gap', 'grace')
  local alive, up, gap, grace = tonumber(c[1]), tonumber(c[2]), tonumber(c[3]), tonumber(c[4])
  local unrecorded = alive ~= nil and gap ~= nil and now - alive > gap
  return unrecorded, unrecorded or (up ~= nil and grace ~= nil and now - up < grace)
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
local function next_rule_at(g, key)
  if not unfinished(g) then return nil end
  local f = redis.call('HMGET', key, 'aX', 'aO', 'aY', 'aZ', 'ix', 'il', 'c')
  local at = nil
  local function consider(t)
    t = tonumber(t)
    if t and (not at or t < at) then at = t end
  end
  if g.status == 'playing' then consider(g.deadline); consider(f[7]) end
  for i = 1, 4 do consider(f[i]) end
  if g.status == 'waiting' then consider(f[5]) end
  consider(f[6])
  return at
end

-- Places a game in the deadlines set at its next rule, or removes it when it has none.
local function place(g, key, deadlines_key)
  local at = next_rule_at(g, key)
  if at then redis.call('ZADD', deadlines_key, at, g.id) else redis.call('ZREM', deadlines_key, g.id) end
end

-- (Re)schedules a game at its next rule. Every change of an unfinished game comes here: its idle
-- lifetime starts again.
local function schedule(g, key, deadlines_key)
  if unfinished(g) then redis.call('HSET', key, 'il', now_ms() + GAME_IDLE_MS) end
  place(g, key, deadlines_key)
end

-- Starts the clock of the player to move (turn_ms 0 turns clocks off), sets the computer's rule
-- when the turn is the computer's, and reschedules the game.
local function start_clock(g, key, deadlines_key, turn_ms, now)
  turn_ms = tonumber(turn_ms)
  if turn_ms > 0 and g.status == 'playing' then g.deadline = now + turn_ms else g.deadline = cjson.null end
  if computer_on_turn(g) then redis.call('HSET', key, 'c', now) elseif has_computer(g) then redis.call('HDEL', key, 'c') end
  schedule(g, key, deadlines_key)
end

-- Marks a game finished: it leaves its players' lists of unfinished games and the deadlines set,
-- its time rules and invite code go, and its keys expire after `ttl` seconds.
local function end_game(g, key, deadlines_key, T, ttl)
  for _, s in ipairs(human_seats(g)) do redis.call('SREM', fmt(T.games, g.players[s].id), g.id) end
  g.turn = cjson.null
  g.deadline = cjson.null
  if tonumber(ttl) > 0 then redis.call('EXPIRE', key, ttl) end
  redis.call('ZREM', deadlines_key, g.id)
  redis.call('HDEL', key, 'aX', 'aO', 'aY', 'aZ', 'ix', 'il', 'c')
  if g.code ~= cjson.null then redis.call('DEL', fmt(T.code, g.code)) end
end

-- `seat` goes out of playing game g for `reason` (resign, timeout, abandoned: variant_out). With one
-- player left the game ends; otherwise the leaver no longer holds a seat (it leaves its list of
-- unfinished games and has no abandonment clock) and the clock restarts if the turn passed. Bumps
-- the version and publishes. Returns nil, or an error code (nothing changed).
local function go_out(g, key, deadlines_key, seat, reason, turn_ms, ttl, now)
  local turn = g.turn
  local err = variant_out(g, seat, reason)
  if err then return err end
  g.version = g.version + 1
  if g.status ~= 'playing' then
    end_game(g, key, deadlines_key, T, ttl)
  else
    local p = seated(g, seat)
    if p and not is_computer(p) then redis.call('SREM', fmt(T.games, p.id), g.id) end
    redis.call('HDEL', key, 'a' .. seat)
    if g.turn ~= turn then start_clock(g, key, deadlines_key, turn_ms, now) else schedule(g, key, deadlines_key) end
  end
  save_and_publish(key, fmt(T.gch, g.id), g)
  return nil
end
