// Differential test: server/store/lua/includes/variant.lua, EVALed in a real Redis, against
// shared/rules.ts on random variants and action sequences (legal and illegal moves, exits).
// Cases are batched, a few hundred per EVAL, so that the whole test runs in seconds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { RedisServer } from '../server/launcher/redis-server.js';
import { goOut, play, rotateSeats, startGame, winningLine, type ExitReason, type GameState, type Mark } from '../shared/rules.js';
import { seatsOf, type Variant } from '../shared/variant.js';
import { variantArb } from './support/variant-gen.js';

const INCLUDE = readFileSync(new URL('../server/store/lua/includes/variant.lua', import.meta.url), 'utf8');

/** Runs each case through the include: a line check, a game's actions, or a rematch seating. */
const HARNESS = `${INCLUDE}
local function field(x) if x == nil then return cjson.null end return x end
local results = {}
for i, c in ipairs(cjson.decode(ARGV[1])) do
  if c.kind == 'line' then
    results[i] = field(winning_line(c.board, c.rows, c.cols, c.k, c.cell, c.mark))
  elseif c.kind == 'rotate' then
    local players = {}
    for j = 1, c.n do players[SEATS[j]] = SEATS[j] .. 'p' end
    results[i] = rotate_seats(players, c.n)
  else
    local v = c.variant
    local g = {variant = v, board = string.rep('.', v.rows * v.cols), status = 'playing', turn = 'X',
      winner = cjson.null, line = cjson.null, reason = cjson.null}
    local trace = {}
    for j, a in ipairs(c.actions) do
      local err
      if a.reason then err = variant_out(g, a.seat, a.reason) else err = variant_move(g, a.seat, a.cell) end
      trace[j] = {err = field(err), board = g.board, status = g.status, turn = field(g.turn), winner = g.winner,
        line = g.line, reason = g.reason, out = field(g.out)}
    end
    results[i] = trace
  end
end
return cjson.encode(results)`;

type Action = { seat: Mark; cell: number } | { seat: Mark; reason: ExitReason };
interface Snap { err: string | null; board: string; status: string; turn: Mark | null; winner: Mark | null; line: number[] | null; reason: string | null; out: Mark[] | null }

let server: RedisServer;
let redis: Redis;
before(async () => {
  server = new RedisServer();
  await server.start();
  redis = new Redis(server.url);
});
after(async () => { redis.disconnect(); await server.stop(); });

const evalHarness = async (cases: unknown[]): Promise<unknown[]> =>
  JSON.parse(await redis.eval(HARNESS, 0, JSON.stringify(cases)) as string) as unknown[];

/** An action: the seat on turn at an empty cell (mostly), any seat at any cell, or a seat going out. */
const actionPick = fc.oneof(
  { weight: 40, arbitrary: fc.record({ kind: fc.constant('legal' as const), n: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('any' as const), n: fc.nat(), cell: fc.integer({ min: -2, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('out' as const), n: fc.nat(), reason: fc.constantFrom<ExitReason>('resign', 'timeout', 'abandoned') }) },
);
type ActionPick = typeof actionPick extends fc.Arbitrary<infer T> ? T : never;
const gameCase = fc.tuple(variantArb, fc.array(actionPick, { minLength: 1, maxLength: 150, size: 'max' }));

const snap = (s: GameState, err: string | null): Snap => ({
  err, board: s.board, status: s.status, turn: s.turn, winner: s.winner, line: s.line, reason: s.reason, out: s.out.length ? s.out : null,
});

/** The actions of a picked case and the trace shared/rules.ts gives for them. */
function expected(v: Variant, picks: ActionPick[]): { actions: Action[]; trace: Snap[] } {
  let s = startGame(v);
  const actions: Action[] = [];
  const trace: Snap[] = [];
  const seats = seatsOf(v.players);
  for (const p of picks) {
    let a: Action;
    if (p.kind === 'legal' && s.status === 'playing') {
      const free = [...s.board].flatMap((c, i) => (c === '.' ? [i] : []));
      a = { seat: s.turn!, cell: free[p.n % free.length] };
    } else if (p.kind === 'out') a = { seat: seats[p.n % seats.length], reason: p.reason };
    else a = { seat: seats[p.n % seats.length], cell: p.kind === 'any' ? p.cell : p.n % (v.rows * v.cols) };
    const r = 'reason' in a ? goOut(s, a.seat, a.reason) : play(s, a.seat, a.cell);
    if (r.ok) s = r.state;
    actions.push(a);
    trace.push(snap(s, r.ok ? null : r.code));
  }
  return { actions, trace };
}

test('variant.lua plays random variants exactly as shared/rules.ts (moves, errors, exits, wins, draws)', async () => {
  const seed = Date.now() % 1_000_000;
  let wins = 0;
  let eliminations = 0;
  for (let batch = 0; batch < 3; batch++) {
    const cases = fc.sample(gameCase, { numRuns: 200, seed: seed + batch }).map(([variant, picks]) => ({ variant, ...expected(variant, picks) }));
    const got = await evalHarness(cases.map((c) => ({ kind: 'game', variant: c.variant, actions: c.actions }))) as Snap[][];
    cases.forEach((c, i) => {
      assert.deepEqual(got[i], c.trace, `seed ${seed + batch}, case ${i}: ${JSON.stringify(c.variant)} ${JSON.stringify(c.actions)}`);
      if (c.trace.some((t) => t.reason === 'line')) wins++;
      if (c.trace.some((t) => t.out !== null && t.status === 'playing')) eliminations++;
    });
  }
  assert.ok(wins > 50 && eliminations > 50, `enough games end in a line (${wins}) and go on after an exit (${eliminations})`);
});

test('winning_line agrees with winningLine on random dense boards, any cell and mark', async () => {
  const seed = Date.now() % 1_000_000;
  const lineCase = variantArb.chain((v) => fc.record({
    v: fc.constant(v),
    board: fc.array(fc.constantFrom('X', 'X', 'O', 'Y', '.'), { minLength: v.rows * v.cols, maxLength: v.rows * v.cols }).map((a) => a.join('')),
    cell: fc.nat(v.rows * v.cols - 1),
    mark: fc.constantFrom<Mark>('X', 'O', 'Y', 'Z'),
  }));
  const cases = fc.sample(lineCase, { numRuns: 2000, seed });
  const got = await evalHarness(cases.map(({ v, board, cell, mark }) => ({ kind: 'line', board, rows: v.rows, cols: v.cols, k: v.k, cell, mark })));
  let found = 0;
  cases.forEach(({ v, board, cell, mark }, i) => {
    const want = winningLine(v, board, cell, mark);
    if (want) found++;
    assert.deepEqual(got[i], want, `seed ${seed}, case ${i}: ${JSON.stringify({ v, board, cell, mark })}`);
  });
  assert.ok(found > 100, `enough boards hold a line (${found})`);
});

test('rotate_seats seats each player one seat further, as rotateSeats does', async () => {
  const got = await evalHarness([2, 3, 4].map((n) => ({ kind: 'rotate', n })));
  [2, 3, 4].forEach((n, i) => {
    const players = Object.fromEntries(seatsOf(n).map((s) => [s, `${s}p`]));
    assert.deepEqual(got[i], rotateSeats(players, n));
  });
});

test('a game stored before the additions (no variant field) plays as the classic game', async () => {
  const script = `${INCLUDE}
local g = cjson.decode(ARGV[1])
local errs = {}
for _, cell in ipairs({9, 0, 3, 1, 4, 2}) do errs[#errs + 1] = variant_move(g, g.turn ~= cjson.null and g.turn or 'X', cell) or 'ok' end
return cjson.encode({errs = errs, g = g})`;
  const legacy = { id: 'g', board: '.........', turn: 'X', status: 'playing', winner: null, line: null, reason: null, players: { X: null, O: null }, version: 1 };
  const got = JSON.parse(await redis.eval(script, 0, JSON.stringify(legacy)) as string);
  assert.deepEqual(got.errs, ['BAD_CELL', 'ok', 'ok', 'ok', 'ok', 'ok']);
  assert.deepEqual([got.g.board, got.g.status, got.g.winner, got.g.line, got.g.variant], ['XXXOO....', 'won', 'X', [0, 1, 2], undefined]);
});
