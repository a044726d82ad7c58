-- Helpers shared by the game scripts (inlined by server/store/scripts.ts at load time).
local LINES = {{0,1,2},{3,4,5},{6,7,8},{0,3,6},{1,4,7},{2,5,8},{0,4,8},{2,4,6}}

local function fmt(template, id) return (string.gsub(template, '%%s', id)) end

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
local function save_and_publish(key, channel, g)
  local json = cjson.encode(g)
  redis.call('HSET', key, 's', json)
  redis.call('PUBLISH', channel, g.version .. ' {"t":"state","game":' .. json .. '}')
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

-- Whether a player has a live connection: any entry of its conns set whose instance key exists.
-- Dead entries are removed on the way.
local function is_online(conns_key, instance_tpl)
  local live = false
  for _, c in ipairs(redis.call('SMEMBERS', conns_key)) do
    local inst = string.match(c, '^([^|]+)|')
    if inst and redis.call('EXISTS', fmt(instance_tpl, inst)) == 1 then live = true
    else redis.call('SREM', conns_key, c) end
  end
  return live
end

-- Starts the clock of the player to move: the snapshot's deadline and the game's entry in the
-- deadlines set (turn_ms 0 turns clocks off).
local function start_clock(g, deadlines_key, turn_ms, now)
  turn_ms = tonumber(turn_ms)
  if turn_ms > 0 and g.status == 'playing' then
    g.deadline = now + turn_ms
    redis.call('ZADD', deadlines_key, g.deadline, g.id)
  else
    g.deadline = cjson.null
  end
end

local function end_game(g, key, deadlines_key, T, ttl)
  finish(g, key, T.games, ttl)
  redis.call('ZREM', deadlines_key, g.id)
  if g.code ~= cjson.null then redis.call('DEL', fmt(T.code, g.code)) end
end

-- Seats two players in a new playing game (quick match and rematch): both get it in their list of
-- unfinished games and a notice `KIND ...` on their channels.
local function start_pair_game(key, id, px, po, deadlines_key, T, turn_ms, now)
  local g = new_game(id, cjson.null, px, po, 'playing')
  start_clock(g, deadlines_key, turn_ms, now)
  redis.call('SADD', fmt(T.games, px.id), id)
  redis.call('SADD', fmt(T.games, po.id), id)
  save_and_publish(key, fmt(T.gch, id), g)
  return g
end
