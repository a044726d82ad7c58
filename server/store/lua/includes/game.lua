-- Helpers shared by the game scripts (inlined by server/store/scripts.ts at load time).
-- T: the key and channel name templates of server/store/keys.ts (`%s` for an id), written in by
-- scripts.ts when the scripts are loaded, so that no call carries or decodes them.
local T = __KEY_TEMPLATES__
-- An unfinished game nobody changed for this long (ms) is aborted (the `idle` rule, field il), so
-- that no game, code or player's game list outlives its players even with every other clock off.
local GAME_IDLE_MS = __GAME_IDLE_MS__
local LINES = {{0,1,2},{3,4,5},{6,7,8},{0,3,6},{1,4,7},{2,5,8},{0,4,8},{2,4,6}}

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

-- The first completed line of a board: mark and {a,b,c}, or nil.
local function winning_line(board)
  for _, l in ipairs(LINES) do
    local m = string.sub(board, l[1] + 1, l[1] + 1)
    if m ~= '.' and m == string.sub(board, l[2] + 1, l[2] + 1) and m == string.sub(board, l[3] + 1, l[3] + 1) then
      return m, {l[1], l[2], l[3]}
    end
  end
  return nil, nil
end

local function seat_of(g, pid)
  if g.players.X ~= cjson.null and g.players.X.id == pid then return 'X' end
  if g.players.O ~= cjson.null and g.players.O.id == pid then return 'O' end
  return nil
end

local function other(seat) if seat == 'X' then return 'O' end return 'X' end

local function new_game(id, code, px, po, status)
  return {
    id = id, code = code, board = '.........',
    turn = (status == 'playing') and 'X' or cjson.null,
    status = status, winner = cjson.null, line = cjson.null, reason = cjson.null,
    players = { X = px, O = po }, version = 1, deadline = cjson.null,
  }
end

local function load_game(key)
  local raw = redis.call('HGET', key, 's')
  if not raw then return nil end
  return cjson.decode(raw)
end

-- Writes the snapshot, publishes it as `VERSION {"t":"state","game":...}` and returns the version.
-- Each seated player's `online` flag is the presence recorded for the game at this moment.
local function save_and_publish(key, channel, g)
  local o = redis.call('HMGET', key, 'oX', 'oO')
  if g.players.X ~= cjson.null then g.players.X.online = (o[1] == '1') end
  if g.players.O ~= cjson.null then g.players.O.online = (o[2] == '1') end
  local json = cjson.encode(g)
  redis.call('HSET', key, 's', json)
  emit(channel, g.version .. ' {"t":"state","game":' .. json .. '}', 'S ' .. g.id .. ' ' .. g.version)
  return g.version
end

-- Marks a game finished for its players: it leaves their lists of unfinished games, the invite code
-- is freed, and the game's keys expire after `ttl` seconds.
local function finish(g, key, games_tpl, ttl)
  for _, s in ipairs({'X', 'O'}) do
    local p = g.players[s]
    if p ~= cjson.null then redis.call('SREM', fmt(games_tpl, p.id), g.id) end
  end
  g.turn = cjson.null
  g.deadline = cjson.null
  if tonumber(ttl) > 0 then redis.call('EXPIRE', key, ttl) end
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

local function unfinished(g) return g.status == 'waiting' or g.status == 'playing' end

-- Time rules. One entry per unfinished game in the deadlines set, scored by the earliest of its
-- rules: the turn clock (the snapshot's deadline), each seat's abandonment (hash field aX/aO,
-- set while that seat's player is offline), the invite's expiry (field ix, waiting games) and the
-- idle lifetime (field il).
local function next_rule_at(g, key)
  if not unfinished(g) then return nil end
  local f = redis.call('HMGET', key, 'aX', 'aO', 'ix', 'il')
  local at = nil
  local function consider(t)
    t = tonumber(t)
    if t and (not at or t < at) then at = t end
  end
  if g.status == 'playing' then consider(g.deadline) end
  consider(f[1]); consider(f[2])
  if g.status == 'waiting' then consider(f[3]) end
  consider(f[4])
  return at
end

-- (Re)schedules a game in the deadlines set at its next rule, or removes it when it has none. Every
-- change of an unfinished game comes here: its idle lifetime starts again.
local function schedule(g, key, deadlines_key)
  if unfinished(g) then redis.call('HSET', key, 'il', now_ms() + GAME_IDLE_MS) end
  local at = next_rule_at(g, key)
  if at then redis.call('ZADD', deadlines_key, at, g.id) else redis.call('ZREM', deadlines_key, g.id) end
end

-- Starts the clock of the player to move (turn_ms 0 turns clocks off) and reschedules the game.
local function start_clock(g, key, deadlines_key, turn_ms, now)
  turn_ms = tonumber(turn_ms)
  if turn_ms > 0 and g.status == 'playing' then g.deadline = now + turn_ms else g.deadline = cjson.null end
  schedule(g, key, deadlines_key)
end

-- Presence. Game hash fields: oX/oO '1'|'0' whether the seat's player is online; aX/aO the epoch
-- ms at which that seat forfeits as abandoned (while its player is offline, abandon_ms > 0);
-- p `SEQ FRAME`, the newest presence message, SEQ counting the game's presence changes. A presence
-- change is not a game change: the snapshot and its version stay as they are.
-- `online` maps seats to booleans (seats left out keep their value). On a change, writes the
-- fields and, when `publish`, sends `P SEQ {"t":"presence",...}` on the game's channel.
-- Returns whether anything changed (the caller reschedules).
local function apply_presence(key, g, online, now, abandon_ms, T, publish)
  local cur = redis.call('HMGET', key, 'oX', 'oO')
  local changed = false
  for i, s in ipairs({'X', 'O'}) do
    if online[s] ~= nil then
      local v = online[s] and '1' or '0'
      if cur[i] ~= v then
        changed = true
        cur[i] = v
        redis.call('HSET', key, 'o' .. s, v)
        if online[s] or tonumber(abandon_ms) <= 0 then redis.call('HDEL', key, 'a' .. s)
        else redis.call('HSET', key, 'a' .. s, now + tonumber(abandon_ms)) end
      end
    end
  end
  if not changed then return false end
  local seq = redis.call('HINCRBY', key, 'pv', 1)
  local frame = '{"t":"presence","gameId":' .. cjson.encode(g.id) .. ',"online":{"X":' .. tostring(cur[1] == '1')
    .. ',"O":' .. tostring(cur[2] == '1') .. '}}'
  redis.call('HSET', key, 'p', seq .. ' ' .. frame)
  if publish then redis.call('PUBLISH', fmt(T.gch, g.id), 'P ' .. seq .. ' ' .. frame) end
  return true
end

-- Whether each seated player of a game is online now, by its connections.
local function seats_online(g, T)
  local online = {}
  for _, s in ipairs({'X', 'O'}) do
    if g.players[s] ~= cjson.null then online[s] = is_online(fmt(T.conns, g.players[s].id), T.inst) end
  end
  return online
end

-- Records a player's presence from its connections in each of its unfinished games: publishes the
-- changes, starts or cancels the abandonment clocks. A player left offline leaves the queue.
-- Returns whether the player is online.
local function refresh_player(pid, deadlines_key, queue_key, names_key, T, now, abandon_ms)
  local online = is_online(fmt(T.conns, pid), T.inst)
  if not online then
    redis.call('ZREM', queue_key, pid)
    redis.call('HDEL', names_key, pid)
  end
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

local function end_game(g, key, deadlines_key, T, ttl)
  finish(g, key, T.games, ttl)
  redis.call('ZREM', deadlines_key, g.id)
  redis.call('HDEL', key, 'aX', 'aO', 'ix', 'il')
  if g.code ~= cjson.null then redis.call('DEL', fmt(T.code, g.code)) end
end

-- Seats two players in a new playing game (quick match and rematch): both get it in their list of
-- unfinished games and a notice `KIND ...` on their channels; a player not online at that moment
-- starts with its abandonment clock running.
local function start_pair_game(key, id, px, po, deadlines_key, T, turn_ms, abandon_ms, now)
  local g = new_game(id, cjson.null, {id = px.id, name = px.name}, {id = po.id, name = po.name}, 'playing')
  apply_presence(key, g, seats_online(g, T), now, abandon_ms, T, false)
  start_clock(g, key, deadlines_key, turn_ms, now)
  redis.call('SADD', fmt(T.games, px.id), id)
  redis.call('SADD', fmt(T.games, po.id), id)
  save_and_publish(key, fmt(T.gch, id), g)
  return g
end

-- Puts a player whose gateway was reaped while it waited for a quick match back in the queue at
-- its old place (see reap-6.lua), once that gateway records its connection again.
local function restore_queue_place(pid, queue_key, names_key)
  local held = redis.call('GET', fmt(T.held, pid))
  if not held then return end
  redis.call('DEL', fmt(T.held, pid))
  local score, name = string.match(held, '^(%S+) (.*)$')
  if score then
    redis.call('ZADD', queue_key, 'NX', score, pid)
    redis.call('HSET', names_key, pid, name)
  end
end
