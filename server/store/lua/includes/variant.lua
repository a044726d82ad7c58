-- The rules of every variant (additions of 2026-11-29): the Lua twin of shared/rules.ts (play,
-- goOut, winningLine, nextInTurn, rotateSeats). test/lua-variants.test.ts plays random variants
-- through both and demands the same states. Pure: no redis.call, no KEYS, no globals, so any
-- script may include it (next to includes/game.lua) and a test may EVAL it alone.
--
-- Stored representation: the snapshot JSON in the game hash's field `s`, as it is published.
--   g.variant  {rows=R, cols=C, k=K, players=N}. A game stored before the additions has none and
--              is the classic 3x3, 3 in a row, 2 players (variant_of).
--   g.board    R*C characters, row-major: 'X', 'O', 'Y', 'Z' or '.'.
--   g.players  a key per seat of the variant, the first N of SEATS (a player reference or null).
--   g.turn     the seat on turn, never one that is out; cjson.null unless playing.
--   g.out      the seats that went out, in the order they did; only with N > 2, and ABSENT (nil)
--              while none is: cjson would encode an empty table as {} and not as [].
--   g.winner, g.reason as before; g.line the K winning cells, ascending, 0-based.
-- Cells are 0-based everywhere (as on the wire); only string.byte/sub take cell + 1.

local SEATS = {'X', 'O', 'Y', 'Z'}
-- a line's directions (row step DR[d], column step DC[d]), in the order a win reports them
local DR, DC = {0, 1, 1, 1}, {1, 0, 1, -1}

local function variant_of(g)
  local v = g.variant
  if v == nil or v == cjson.null then return {rows = 3, cols = 3, k = 3, players = 2} end
  return v
end

local function seat_index(seat)
  for i, s in ipairs(SEATS) do if s == seat then return i end end
  return nil
end

local function is_out(out, seat)
  if out == nil or out == cjson.null then return false end
  for _, s in ipairs(out) do if s == seat then return true end end
  return false
end

-- The seats still in, in turn order.
local function seats_in(players, out)
  local left = {}
  for i = 1, players do
    if not is_out(out, SEATS[i]) then left[#left + 1] = SEATS[i] end
  end
  return left
end

-- The first seat after `from` in turn order (X, O, Y, Z, X, ...) that is not out, or nil.
local function next_in_turn(players, from, out)
  local at = seat_index(from)
  for i = 1, players - 1 do
    local s = SEATS[(at - 1 + i) % players + 1]
    if not is_out(out, s) then return s end
  end
  return nil
end

-- The K cells (ascending) of a line through `cell` that `mark` holds once placed there, or nil.
-- Only the four lines through `cell` are looked at, and board[cell] is taken to be `mark`: in order
-- row, column, diagonal, anti-diagonal, the first with K in a row; of a longer run, the window
-- starting as far back as it can while still holding `cell`.
local function winning_line(board, rows, cols, k, cell, mark)
  local want = string.byte(mark)
  local r0 = math.floor(cell / cols)
  local c0 = cell % cols
  local function holds(r, c)
    return r >= 0 and r < rows and c >= 0 and c < cols and string.byte(board, r * cols + c + 1) == want
  end
  for d = 1, 4 do
    local dr, dc = DR[d], DC[d]
    local back = 0
    while back < k - 1 and holds(r0 - (back + 1) * dr, c0 - (back + 1) * dc) do back = back + 1 end
    local ahead = 0
    while back + ahead + 1 < k and holds(r0 + (ahead + 1) * dr, c0 + (ahead + 1) * dc) do ahead = ahead + 1 end
    if back + ahead + 1 == k then
      local line = {}
      for i = -back, ahead do line[#line + 1] = (r0 + i * dr) * cols + c0 + i * dc end
      return line
    end
  end
  return nil
end

-- `seat` places its mark on `cell` (a number: tonumber() of the ARGV) of a playing game g: writes board, status, turn, winner, line
-- and reason of g. Returns nil, or an error code (g unchanged), checked in the classic order.
-- The caller bumps the version, restarts the clock and publishes.
local function variant_move(g, seat, cell)
  local v = variant_of(g)
  if type(cell) ~= 'number' or cell ~= math.floor(cell) or cell < 0 or cell >= v.rows * v.cols then return 'BAD_CELL' end
  if g.status ~= 'playing' then return 'GAME_OVER' end
  if g.turn ~= seat then return 'NOT_YOUR_TURN' end
  if string.sub(g.board, cell + 1, cell + 1) ~= '.' then return 'CELL_TAKEN' end
  g.board = string.sub(g.board, 1, cell) .. seat .. string.sub(g.board, cell + 2)
  local line = winning_line(g.board, v.rows, v.cols, v.k, cell, seat)
  if line then
    g.status, g.turn, g.winner, g.line, g.reason = 'won', cjson.null, seat, line, 'line'
  elseif not string.find(g.board, '.', 1, true) then
    g.status, g.turn = 'draw', cjson.null
  else
    g.turn = next_in_turn(v.players, seat, g.out)
  end
  return nil
end

-- `seat` goes out of a playing game g (reason 'resign', 'timeout' or 'abandoned'): its marks stay.
-- With one player left that player wins for `reason`; otherwise `seat` joins g.out and, if it was
-- on turn, the turn passes to the next seat still in. Returns nil, or an error code (g unchanged).
local function variant_out(g, seat, reason)
  local v = variant_of(g)
  if g.status ~= 'playing' then return 'GAME_OVER' end
  local i = seat_index(seat)
  if not i or i > v.players or is_out(g.out, seat) then return 'NOT_A_PLAYER' end
  local out = {}
  if g.out ~= nil and g.out ~= cjson.null then for _, s in ipairs(g.out) do out[#out + 1] = s end end
  out[#out + 1] = seat
  local left = seats_in(v.players, out)
  if #left == 1 then
    g.status, g.turn, g.winner, g.line, g.reason = 'won', cjson.null, left[1], cjson.null, reason
  else
    g.out = out
    if g.turn == seat then g.turn = next_in_turn(v.players, seat, out) end
  end
  return nil
end

-- The rematch's seating: each player takes the next seat in turn order, the last one X.
local function rotate_seats(players, n)
  local rotated = {}
  for i = 1, n do rotated[SEATS[i % n + 1]] = players[SEATS[i]] end
  return rotated
end
