// Property tests of the pure game rules (shared/rules.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyMove, count, EMPTY_BOARD, LINES, legalMoves, outcome, turnOf, type Mark } from '../shared/rules.js';

/** A game played from the empty board by picking, at each step, one legal move (by index). */
const game = fc.array(fc.nat(), { maxLength: 12 }).map((picks) => {
  let board = EMPTY_BOARD;
  const history: string[] = [board];
  for (const p of picks) {
    if (outcome(board).status !== 'playing') break;
    const moves = legalMoves(board);
    const r = applyMove(board, turnOf(board), moves[p % moves.length]);
    assert.ok(r.ok);
    board = r.board;
    history.push(board);
  }
  return history;
});

test('no move is ever accepted on a taken cell', () => {
  fc.assert(fc.property(game, fc.integer({ min: 0, max: 8 }), (h, cell) => {
    const board = h[h.length - 1];
    if (board[cell] === '.' || outcome(board).status !== 'playing') return;
    const r = applyMove(board, turnOf(board), cell);
    assert.deepEqual(r, { ok: false, code: 'CELL_TAKEN' });
  }));
});

test('a finished game accepts nothing', () => {
  fc.assert(fc.property(game, fc.integer({ min: 0, max: 8 }), fc.constantFrom<Mark>('X', 'O'), (h, cell, mark) => {
    const board = h[h.length - 1];
    if (outcome(board).status === 'playing') return;
    const r = applyMove(board, mark, cell);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 'GAME_OVER');
  }));
});

test('every win has exactly the line it reports, made of the winner\'s marks', () => {
  fc.assert(fc.property(game, (h) => {
    const board = h[h.length - 1];
    const o = outcome(board);
    if (o.status !== 'won') { assert.equal(o.line, null); return; }
    assert.ok(LINES.some((l) => l.join() === o.line!.join()));
    for (const i of o.line!) assert.equal(board[i], o.winner);
    // the line appeared with the last move: the board before it had no winner
    assert.equal(outcome(h[h.length - 2]).status, 'playing');
  }));
});

test('X and O counts differ by at most one, X first', () => {
  fc.assert(fc.property(game, (h) => {
    for (const b of h) {
      const d = count(b, 'X') - count(b, 'O');
      assert.ok(d === 0 || d === 1, `board ${b}`);
    }
  }));
});

test('only the player whose turn it is may move, and out-of-range cells are refused', () => {
  fc.assert(fc.property(game, fc.integer({ min: -20, max: 30 }), (h, cell) => {
    const board = h[h.length - 1];
    if (outcome(board).status !== 'playing') return;
    const wrong = turnOf(board) === 'X' ? 'O' : 'X';
    if (cell < 0 || cell > 8) assert.deepEqual(applyMove(board, turnOf(board), cell), { ok: false, code: 'BAD_CELL' });
    else assert.deepEqual(applyMove(board, wrong, cell), { ok: false, code: 'NOT_YOUR_TURN' });
  }));
});

test('a full board with no line is a draw', () => {
  assert.deepEqual(outcome('XOXXOOOXX'), { status: 'draw', winner: null, line: null });
  assert.equal(outcome('XXXOO....').winner, 'X');
});
