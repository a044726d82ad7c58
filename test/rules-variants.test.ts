// Property tests of the variant rules of shared/rules.ts against a brute-force oracle: the oracle
// scans every line of the whole board after each move and walks the turn order seat by seat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  applyMove, goOut, nextInTurn, play, rotateSeats, startGame, winningLine,
  type ExitReason, type GameState, type Mark,
} from '../shared/rules.js';
import { seatsOf, type Variant } from '../shared/variant.js';
import { oracleLines, variantArb } from './support/variant-gen.js';

/** A random game step: mostly moves (a pick among the empty cells), sometimes a seat going out. */
export type Step = { move: number } | { out: number; reason: ExitReason };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 9, arbitrary: fc.nat().map((move) => ({ move })) },
  { weight: 1, arbitrary: fc.record({ out: fc.nat(), reason: fc.constantFrom<ExitReason>('resign', 'timeout', 'abandoned') }) },
);
const gameArb = fc.tuple(variantArb, fc.array(stepArb, { maxLength: 120, size: 'max' }));

const empties = (board: string) => [...board].flatMap((c, i) => (c === '.' ? [i] : []));

/** The oracle's next seat: walk X, O, Y, Z round from `from`, one seat at a time, skipping those out. */
function oracleNext(players: number, from: Mark, out: readonly Mark[]): Mark | null {
  const seats = seatsOf(players);
  let i = seats.indexOf(from);
  for (let steps = 0; steps < players - 1; steps++) {
    i = (i + 1) % players;
    if (!out.includes(seats[i])) return seats[i];
  }
  return null;
}

function assertIsLine(v: Variant, line: number[], board: string, mark: Mark, cell: number): void {
  assert.equal(line.length, v.k);
  assert.ok(line.includes(cell), 'the line holds the last move');
  for (const c of line) assert.equal(board[c], mark);
  const [r0, c0] = [Math.floor(line[0] / v.cols), line[0] % v.cols];
  const [r1, c1] = [Math.floor(line[1] / v.cols), line[1] % v.cols];
  const [dr, dc] = [r1 - r0, c1 - c0];
  assert.ok([[0, 1], [1, 0], [1, 1], [1, -1]].some(([a, b]) => a === dr && b === dc), `direction ${dr},${dc}`);
  line.forEach((c, i) => assert.equal(c, (r0 + i * dr) * v.cols + c0 + i * dc, 'consecutive cells of one line'));
}

/** Plays the steps through the rules, checking every state against the oracle; returns the states. */
function playChecked(v: Variant, steps: Step[]): GameState[] {
  let s = startGame(v);
  const states = [s];
  for (const step of steps) {
    if (s.status !== 'playing') break;
    if ('move' in step) {
      const free = empties(s.board);
      const cell = free[step.move % free.length];
      const mover = s.turn!;
      const r = play(s, mover, cell);
      assert.ok(r.ok, `move ${cell} by ${mover}`);
      const next = r.state;
      assert.equal(next.board, s.board.slice(0, cell) + mover + s.board.slice(cell + 1));
      const won = oracleLines(v, next.board);
      // the game was going on, so every K in a row on the board is the mover's and new
      assert.ok(won.every((l) => l.mark === mover && l.cells.includes(cell)));
      if (won.length > 0) {
        assert.equal(next.status, 'won');
        assert.equal(next.winner, mover);
        assert.equal(next.reason, 'line');
        assert.equal(next.turn, null);
        assertIsLine(v, next.line!, next.board, mover, cell);
      } else if (!next.board.includes('.')) {
        assert.deepEqual([next.status, next.turn, next.winner, next.line], ['draw', null, null, null]);
      } else {
        assert.equal(next.status, 'playing');
        assert.equal(next.turn, oracleNext(v.players, mover, s.out));
      }
      s = next;
    } else {
      const seats = seatsOf(v.players).filter((m) => !s.out.includes(m));
      const seat = seats[step.out % seats.length];
      const r = goOut(s, seat, step.reason);
      assert.ok(r.ok);
      const next = r.state;
      assert.equal(next.board, s.board, 'marks stay');
      if (seats.length === 2) {
        assert.deepEqual([next.status, next.winner, next.reason, next.turn, next.line], ['won', seats.find((m) => m !== seat), step.reason, null, null]);
        assert.deepEqual(next.out, s.out);
      } else {
        assert.equal(next.status, 'playing');
        assert.deepEqual(next.out, [...s.out, seat]);
        assert.equal(next.turn, s.turn === seat ? oracleNext(v.players, seat, next.out) : s.turn);
      }
      s = next;
    }
    states.push(s);
  }
  return states;
}

test('moves and exits on random variants follow the oracle (whole-board scan, seat-by-seat turn order)', () => {
  fc.assert(fc.property(gameArb, ([v, steps]) => { playChecked(v, steps); }), { numRuns: 400 });
});

test('a seat that is out, or not on turn, may not move; taken and outside cells are refused; a finished game accepts nothing', () => {
  fc.assert(fc.property(gameArb, fc.integer({ min: -5, max: 400 }), ([v, steps], cell) => {
    const states = playChecked(v, steps);
    const s = states[states.length - 1];
    const size = v.rows * v.cols;
    for (const m of seatsOf(v.players)) {
      const r = play(s, m, cell);
      if (cell < 0 || cell >= size) assert.deepEqual(r, { ok: false, code: 'BAD_CELL' });
      else if (s.status !== 'playing') assert.deepEqual(r, { ok: false, code: 'GAME_OVER' });
      else if (m !== s.turn) assert.deepEqual(r, { ok: false, code: 'NOT_YOUR_TURN' });
      else if (s.board[cell] !== '.') assert.deepEqual(r, { ok: false, code: 'CELL_TAKEN' });
      else assert.ok(r.ok);
    }
    if (s.status !== 'playing') { assert.deepEqual(goOut(s, 'X', 'resign'), { ok: false, code: 'GAME_OVER' }); return; }
    for (const m of s.out) assert.deepEqual(goOut(s, m, 'resign'), { ok: false, code: 'NOT_A_PLAYER' });
    assert.ok(!s.out.includes(s.turn!), 'the seat on turn is never out');
  }), { numRuns: 300 });
});

test('on the classic board the variant rules agree with applyMove', () => {
  const classic: Variant = { rows: 3, cols: 3, k: 3, players: 2 };
  fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 9 }), (picks) => {
    let s = startGame(classic);
    for (const p of picks) {
      if (s.status !== 'playing') return;
      const free = empties(s.board);
      const cell = free[p % free.length];
      const a = applyMove(s.board, s.turn!, cell);
      const b = play(s, s.turn!, cell);
      assert.ok(a.ok && b.ok);
      assert.deepEqual([b.state.board, b.state.status, b.state.winner, b.state.line, b.state.turn],
        [a.board, a.outcome.status, a.outcome.winner, a.outcome.line, a.next]);
      s = b.state;
    }
  }), { numRuns: 500 });
});

test('winningLine looks only through the given cell and takes the window furthest back', () => {
  const g = { rows: 3, cols: 9, k: 3 };
  //            row 0: XXX...XX.   row 1 empty, row 2 empty
  const board = 'XXX...XX.' + '.'.repeat(18);
  assert.deepEqual(winningLine(g, board, 8, 'X'), [6, 7, 8], 'the cell counts as the mark\'s before it is placed');
  assert.deepEqual(winningLine(g, board, 5, 'X'), [5, 6, 7]);
  assert.equal(winningLine(g, board, 8, 'O'), null);
  assert.equal(winningLine(g, board, 4, 'X'), null);
  assert.deepEqual(winningLine(g, 'XX.XX....' + '.'.repeat(18), 2, 'X'), [0, 1, 2], 'a run of five gives its first three');
  assert.equal(winningLine(g, board, 20, 'X'), null, 'the line at 0..2 does not pass through 20');
  assert.deepEqual(winningLine({ rows: 4, cols: 4, k: 4 }, '...X..X..X..X...', 3, 'X'), [3, 6, 9, 12], 'anti-diagonal');
});

test('turn order skips seats that are out', () => {
  assert.equal(nextInTurn(4, 'X', ['O']), 'Y');
  assert.equal(nextInTurn(4, 'Z', ['X']), 'O');
  assert.equal(nextInTurn(3, 'Y', ['X', 'O']), null);
  assert.equal(nextInTurn(2, 'O', []), 'X');
});

test('rematch seating rotates by one seat', () => {
  assert.deepEqual(rotateSeats({ X: 'a', O: 'b' }, 2), { X: 'b', O: 'a' });
  assert.deepEqual(rotateSeats({ X: 'a', O: 'b', Y: 'c', Z: 'd' }, 4), { O: 'a', Y: 'b', Z: 'c', X: 'd' });
});
