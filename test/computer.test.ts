// The computer opponent (shared/computer.ts): never loses the classic game, takes a win in one and
// blocks an opponent's win in one on random variants, keeps to its budget, replays from its seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { computerMove, seededRng } from '../shared/computer.js';
import { nextInTurn, play, startGame, winningLine, type GameState, type Mark } from '../shared/rules.js';
import { CLASSIC, isClassic, seatsOf, type Variant } from '../shared/variant.js';
import { oracleLines, variantArb } from './support/variant-gen.js';

const empties = (board: string) => [...board].flatMap((c, i) => (c === '.' ? [i] : []));
const memo = new Map<number, number>();

/** Plays a classic game: the computer (seeded) at `seat`, the opponent choosing by `opponent`. */
function classicGame(seat: Mark, seed: number, opponent: (s: GameState) => number): GameState {
  let s = startGame(CLASSIC);
  const rng = seededRng(seed);
  while (s.status === 'playing') {
    const cell = s.turn === seat ? computerMove(s, { rng, memo }).cell : opponent(s);
    const r = play(s, s.turn!, cell);
    assert.ok(r.ok);
    s = r.state;
  }
  return s;
}

test('classic: never loses against random play, as X and as O', () => {
  fc.assert(fc.property(fc.constantFrom<Mark>('X', 'O'), fc.integer(), fc.array(fc.nat(), { minLength: 5, maxLength: 5 }), (seat, seed, picks) => {
    let i = 0;
    const s = classicGame(seat, seed, (st) => { const free = empties(st.board); return free[picks[i++] % free.length]; });
    assert.ok(s.winner === null || s.winner === seat, `lost as ${seat}: ${s.board}`);
  }), { numRuns: 600 });
});

test('classic: against itself (perfect play on both sides) every game is a draw', () => {
  fc.assert(fc.property(fc.integer(), fc.integer(), (a, b) => {
    const other = seededRng(b);
    const s = classicGame('X', a, (st) => computerMove(st, { rng: other, memo }).cell);
    assert.equal(s.status, 'draw', s.board);
  }), { numRuns: 200 });
});

test('classic: never loses against any sequence of replies (every opponent line, exhaustively)', () => {
  let games = 0;
  const explore = (s: GameState, seat: Mark): void => {
    if (s.status !== 'playing') {
      games++;
      assert.ok(s.winner === null || s.winner === seat, `lost as ${seat}: ${s.board}`);
      return;
    }
    const cells = s.turn === seat ? [computerMove(s, { rng: seededRng(s.board.length), memo }).cell] : empties(s.board);
    for (const cell of cells) {
      const r = play(s, s.turn!, cell);
      assert.ok(r.ok);
      explore(r.state, seat);
    }
  };
  explore(startGame(CLASSIC), 'X');
  explore(startGame(CLASSIC), 'O');
  assert.ok(games > 100, `${games} games`);
});

interface PlantInput { v: Variant; fill: (Mark | '.')[]; dir: readonly number[]; start: number; gap: number; me: Mark; owner: Mark; outPicks: boolean[]; seed: number }

/**
 * A playing position of a non-classic variant with `owner` one cell short of K in a row (planted
 * on a random line) and nobody holding K in a row yet; `me` is on turn; some seats may be out.
 */
const plantedArb = variantArb.filter((v) => !isClassic(v)).chain((v) => fc.record({
  v: fc.constant(v),
  fill: fc.array(fc.constantFrom<Mark | '.'>(...seatsOf(v.players), '.', '.', '.', '.', '.', '.'), { minLength: v.rows * v.cols, maxLength: v.rows * v.cols }),
  dir: fc.constantFrom([0, 1], [1, 0], [1, 1], [1, -1]),
  start: fc.nat(v.rows * v.cols - 1),
  gap: fc.nat(v.k - 1),
  me: fc.constantFrom(...seatsOf(v.players)),
  owner: fc.constantFrom(...seatsOf(v.players)),
  outPicks: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  seed: fc.integer(),
}));

function plant(p: PlantInput): GameState | null {
  const { v, fill, dir: [dr, dc], start, gap, me, owner } = p;
  const [r0, c0] = [Math.floor(start / v.cols), start % v.cols];
  const [r1, c1] = [r0 + (v.k - 1) * dr, c0 + (v.k - 1) * dc];
  if (r1 >= v.rows || c1 < 0 || c1 >= v.cols) return null;
  const board = [...fill];
  for (let i = 0; i < v.k; i++) board[(r0 + i * dr) * v.cols + c0 + i * dc] = i === gap ? '.' : owner;
  const b = board.join('');
  if (oracleLines(v, b).length > 0) return null;
  // seats other than me and the owner may be out (never all of them: me and the owner stay in)
  const out = seatsOf(v.players).filter((m, i) => m !== me && m !== owner && p.outPicks[i]);
  return { variant: v, board: b, status: 'playing', turn: me, winner: null, line: null, reason: null, out };
}

test('other variants: takes a win in one whenever there is one', () => {
  let checked = 0;
  fc.assert(fc.property(plantedArb, (p) => {
    const s = plant({ ...p, owner: p.me });
    if (!s) return;
    checked++;
    const m = computerMove(s, { rng: seededRng(p.seed) });
    assert.equal(m.reason, 'win');
    assert.ok(winningLine(s.variant, s.board, m.cell, p.me), `cell ${m.cell} wins`);
  }), { numRuns: 1000 });
  assert.ok(checked > 100, `${checked} positions`);
});

test('other variants: with no win in one, blocks the win in one of the first opponent to move who has one', () => {
  let checked = 0;
  fc.assert(fc.property(plantedArb, (p) => {
    if (p.owner === p.me) return;
    const s = plant(p);
    if (!s) return;
    const free = empties(s.board);
    if (free.some((c) => winningLine(s.variant, s.board, c, p.me))) return;
    checked++;
    let first: Mark | null = null;
    for (let m = nextInTurn(s.variant.players, p.me, s.out); m && m !== p.me && !first; m = nextInTurn(s.variant.players, m, s.out)) {
      if (free.some((c) => winningLine(s.variant, s.board, c, m!))) first = m;
    }
    const m = computerMove(s, { rng: seededRng(p.seed) });
    assert.equal(m.reason, 'block');
    assert.ok(winningLine(s.variant, s.board, m.cell, first!), `cell ${m.cell} is a winning cell of ${first}`);
  }), { numRuns: 1000 });
  assert.ok(checked > 100, `${checked} positions`);
});

/** Positions of random play on a variant, `moves` moves in (each checked by the rules). */
function randomPosition(v: Variant, moves: number, seed: number): GameState {
  const rng = seededRng(seed);
  let s = startGame(v);
  for (let i = 0; i < moves && s.status === 'playing'; i++) {
    const free = empties(s.board);
    const r = play(s, s.turn!, free[Math.floor(rng() * free.length)]);
    assert.ok(r.ok);
    if (r.state.status === 'playing') s = r.state;
  }
  return s;
}

test('the heuristic scores at most maxNodes cells and stops at its deadline, always with a legal move', () => {
  const big: Variant[] = [{ rows: 19, cols: 19, k: 5, players: 2 }, { rows: 15, cols: 15, k: 5, players: 4 }, { rows: 4, cols: 4, k: 3, players: 3 }];
  fc.assert(fc.property(fc.constantFrom(...big), fc.nat(60), fc.integer(), fc.nat(300), (v, moves, seed, maxNodes) => {
    const s = randomPosition(v, moves, seed);
    const m = computerMove(s, { rng: seededRng(seed), maxNodes });
    assert.ok(m.nodes <= maxNodes, `${m.nodes} > ${maxNodes}`);
    assert.equal(s.board[m.cell], '.');
    const late = computerMove(s, { rng: seededRng(seed), now: () => 10, deadline: 10 });
    assert.equal(late.nodes, 0);
    assert.equal(s.board[late.cell], '.');
  }), { numRuns: 150 });
});

test('the same seed and position give the same move', () => {
  fc.assert(fc.property(variantArb, fc.nat(40), fc.integer(), (v, moves, seed) => {
    const s = randomPosition(v, moves, seed);
    if (s.status !== 'playing') return;
    assert.deepEqual(computerMove(s, { rng: seededRng(seed) }), computerMove(s, { rng: seededRng(seed) }));
  }), { numRuns: 150 });
});

test('a computer game against itself on a larger board ends, every move legal', () => {
  for (const v of [{ rows: 7, cols: 7, k: 4, players: 3 }, { rows: 15, cols: 15, k: 5, players: 2 }]) {
    let s = startGame(v);
    const rng = seededRng(7);
    while (s.status === 'playing') {
      const r = play(s, s.turn!, computerMove(s, { rng }).cell);
      assert.ok(r.ok);
      s = r.state;
    }
    assert.notEqual(s.status, 'playing');
  }
});

test('other variants: the heuristic beats random play (fixed seeds: the outcome is replayed, not sampled)', () => {
  for (const v of [{ rows: 7, cols: 7, k: 4, players: 2 }, { rows: 9, cols: 9, k: 5, players: 2 }]) {
    for (let g = 0; g < 40; g++) {
      const rng = seededRng(g);
      const seat: Mark = g % 2 ? 'O' : 'X';
      let s = startGame(v);
      while (s.status === 'playing') {
        const free = empties(s.board);
        const r = play(s, s.turn!, s.turn === seat ? computerMove(s, { rng }).cell : free[Math.floor(rng() * free.length)]);
        assert.ok(r.ok);
        s = r.state;
      }
      assert.equal(s.winner, seat, `game ${g} on ${JSON.stringify(v)}: ${s.status}`);
    }
  }
});
