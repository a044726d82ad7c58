// The rules of tic-tac-toe for every variant as a pure, I/O-free module: the marks and statuses the
// wire types use, and the logic the page, the bots, the chaos checker and the tests apply to what they
// receive. The gateway does not apply them: the authoritative rules run inside Redis, in the Lua
// scripts of server/store/lua. test/store.test.ts (classic) and test/lua-variants.test.ts (every
// variant) play random games through both and demand identical outcomes; test/rules.test.ts and
// test/rules-variants.test.ts cover this module on its own.

import { normalizeVariant, seatsOf, type Variant } from './variant.js';

/** A seat and its mark, in turn order (Y and Z only with three and four players). */
export type Mark = 'X' | 'O' | 'Y' | 'Z';
export type Square = Mark | '.';
export type Status = 'waiting' | 'playing' | 'won' | 'draw' | 'aborted';
export type Reason = 'line' | 'resign' | 'timeout' | 'abandoned';

export const EMPTY_BOARD = '.........';
export const CELLS = 9;

/** The eight lines of three, row-major cell indices. */
export const LINES: readonly (readonly [number, number, number])[] = [
  [0, 1, 2], [3, 4, 5], [6, 7, 8],
  [0, 3, 6], [1, 4, 7], [2, 5, 8],
  [0, 4, 8], [2, 4, 6],
];

/** The classic game's other seat. */
export const other = (m: Mark): Mark => (m === 'X' ? 'O' : 'X');

export function isBoard(board: string): boolean {
  return /^[XO.]{9}$/.test(board);
}

export function count(board: string, mark: Square): number {
  let n = 0;
  for (let i = 0; i < CELLS; i++) if (board[i] === mark) n++;
  return n;
}

/** Whose turn it is on a board reached by legal play (X moves first). */
export function turnOf(board: string): Mark {
  return count(board, 'X') > count(board, 'O') ? 'O' : 'X';
}

export function legalMoves(board: string): number[] {
  const moves: number[] = [];
  for (let i = 0; i < CELLS; i++) if (board[i] === '.') moves.push(i);
  return moves;
}

export interface Outcome {
  status: 'playing' | 'won' | 'draw';
  winner: Mark | null;
  line: [number, number, number] | null;
}

/** The first completed line of a board (a legal board has at most one winner). */
export function outcome(board: string): Outcome {
  for (const [a, b, c] of LINES) {
    const m = board[a];
    if (m !== '.' && m === board[b] && m === board[c]) {
      return { status: 'won', winner: m as Mark, line: [a, b, c] };
    }
  }
  if (!board.includes('.')) return { status: 'draw', winner: null, line: null };
  return { status: 'playing', winner: null, line: null };
}

export type MoveError = 'BAD_CELL' | 'CELL_TAKEN' | 'GAME_OVER' | 'NOT_YOUR_TURN';
export type MoveResult =
  | { ok: true; board: string; outcome: Outcome; next: Mark | null }
  | { ok: false; code: MoveError };

/** Places `mark` on `cell` of a board where the game is still going. */
export function applyMove(board: string, mark: Mark, cell: number): MoveResult {
  if (!Number.isInteger(cell) || cell < 0 || cell >= CELLS) return { ok: false, code: 'BAD_CELL' };
  if (outcome(board).status !== 'playing') return { ok: false, code: 'GAME_OVER' };
  if (turnOf(board) !== mark) return { ok: false, code: 'NOT_YOUR_TURN' };
  if (board[cell] !== '.') return { ok: false, code: 'CELL_TAKEN' };
  const next = board.slice(0, cell) + mark + board.slice(cell + 1);
  const o = outcome(next);
  return { ok: true, board: next, outcome: o, next: o.status === 'playing' ? other(mark) : null };
}

/** Whether a status is final: no move, join or resignation changes it any more. */
export const isFinished = (s: Status): boolean => s === 'won' || s === 'draw' || s === 'aborted';

// ---- Variants (additions of 2026-11-29): an R x C board, K in a row, N players -----------------
// The classic functions above stay as they are for their callers; the functions below hold for
// every variant (the classic one included). server/store/lua/includes/variant.lua is the same
// rules in Lua; test/lua-variants.test.ts demands that both agree.

/** The four directions of a line as (row step, column step), in the order a win reports them. */
const DIRECTIONS: readonly (readonly [number, number])[] = [[0, 1], [1, 0], [1, 1], [1, -1]];

/** The board sizes a line check needs. */
export type Geometry = Pick<Variant, 'rows' | 'cols' | 'k'>;

export const emptyBoardOf = (v: Pick<Variant, 'rows' | 'cols'>): string => '.'.repeat(v.rows * v.cols);

/**
 * The K cells (ascending) of a line through `cell` that `mark` holds once it is placed on `cell`,
 * or null. Looks only at the four lines through `cell` (board[cell] itself is taken to be `mark`):
 * in order row, column, diagonal, anti-diagonal, the first with K in a row; when the run is longer
 * than K, the window that starts as far back along the line as it can while still holding `cell`.
 */
export function winningLine(g: Geometry, board: string, cell: number, mark: Mark): number[] | null {
  const r0 = Math.floor(cell / g.cols);
  const c0 = cell % g.cols;
  for (const [dr, dc] of DIRECTIONS) {
    const back = run(g, board, mark, r0, c0, -dr, -dc, g.k - 1);
    const ahead = run(g, board, mark, r0, c0, dr, dc, g.k - 1 - back);
    if (back + ahead + 1 === g.k) {
      const line: number[] = [];
      for (let i = -back; i <= ahead; i++) line.push((r0 + i * dr) * g.cols + c0 + i * dc);
      return line;
    }
  }
  return null;
}

/** How many cells in a row from (r0, c0), not counting it, step (dr, dc), hold `mark` (at most `limit`). */
function run(g: Geometry, board: string, mark: Mark, r0: number, c0: number, dr: number, dc: number, limit: number): number {
  let n = 0;
  for (let r = r0 + dr, c = c0 + dc; n < limit && r >= 0 && r < g.rows && c >= 0 && c < g.cols && board[r * g.cols + c] === mark; r += dr, c += dc) n++;
  return n;
}

/** A variant game as far as the rules go (the snapshot without players, ids and clocks). */
export interface GameState {
  variant: Variant;
  board: string;
  status: 'playing' | 'won' | 'draw';
  turn: Mark | null;
  winner: Mark | null;
  line: number[] | null;
  reason: Reason | null;
  /** Seats that went out, in the order they did (only with more than two players). */
  out: Mark[];
}

export type ExitReason = 'resign' | 'timeout' | 'abandoned';

export function startGame(v: Variant): GameState {
  return { variant: normalizeVariant(v), board: emptyBoardOf(v), status: 'playing', turn: 'X', winner: null, line: null, reason: null, out: [] };
}

/** The seats still in, in turn order. */
export const seatsIn = (players: number, out: readonly Mark[]): Mark[] => seatsOf(players).filter((s) => !out.includes(s));

/** The first seat after `from` in turn order (X, O, Y, Z, X, ...) that is not out; null when none is. */
export function nextInTurn(players: number, from: Mark, out: readonly Mark[]): Mark | null {
  const seats = seatsOf(players);
  const at = seats.indexOf(from);
  for (let i = 1; i < seats.length; i++) {
    const s = seats[(at + i) % seats.length];
    if (!out.includes(s)) return s;
  }
  return null;
}

export type PlayResult = { ok: true; state: GameState } | { ok: false; code: MoveError };

/** `mark` places its mark on `cell` (checks in the classic order: cell, game over, turn, cell taken). */
export function play(s: GameState, mark: Mark, cell: number): PlayResult {
  const v = s.variant;
  if (!Number.isInteger(cell) || cell < 0 || cell >= v.rows * v.cols) return { ok: false, code: 'BAD_CELL' };
  if (s.status !== 'playing') return { ok: false, code: 'GAME_OVER' };
  if (s.turn !== mark) return { ok: false, code: 'NOT_YOUR_TURN' };
  if (s.board[cell] !== '.') return { ok: false, code: 'CELL_TAKEN' };
  const board = s.board.slice(0, cell) + mark + s.board.slice(cell + 1);
  const line = winningLine(v, board, cell, mark);
  if (line) return { ok: true, state: { ...s, board, status: 'won', turn: null, winner: mark, line, reason: 'line' } };
  if (!board.includes('.')) return { ok: true, state: { ...s, board, status: 'draw', turn: null } };
  return { ok: true, state: { ...s, board, turn: nextInTurn(v.players, mark, s.out) } };
}

export type ExitResult = { ok: true; state: GameState } | { ok: false; code: 'GAME_OVER' | 'NOT_A_PLAYER' };

/**
 * `seat` goes out (resigns, runs out of time, abandons). Its marks stay; with one player left that
 * player wins for `reason`; otherwise (more than two players) it joins `out`, its turns are skipped,
 * and if it was on turn the turn passes to the next seat still in. A seat already out is no player.
 */
export function goOut(s: GameState, seat: Mark, reason: ExitReason): ExitResult {
  if (s.status !== 'playing') return { ok: false, code: 'GAME_OVER' };
  if (!seatsOf(s.variant.players).includes(seat) || s.out.includes(seat)) return { ok: false, code: 'NOT_A_PLAYER' };
  const left = seatsIn(s.variant.players, [...s.out, seat]);
  if (left.length === 1) return { ok: true, state: { ...s, status: 'won', turn: null, winner: left[0], line: null, reason } };
  const out = [...s.out, seat];
  const turn = s.turn === seat ? nextInTurn(s.variant.players, seat, out) : s.turn;
  return { ok: true, state: { ...s, out, turn } };
}

/** The rematch's seating: each player takes the next seat in turn order, the last one X. */
export function rotateSeats<P>(players: Partial<Record<Mark, P>>, n: number): Partial<Record<Mark, P>> {
  const seats = seatsOf(n);
  const next: Partial<Record<Mark, P>> = {};
  seats.forEach((s, i) => { next[seats[(i + 1) % n]] = players[s]; });
  return next;
}
