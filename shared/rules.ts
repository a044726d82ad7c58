// The rules of tic-tac-toe as a pure, I/O-free module: the marks and statuses the wire types use,
// and the logic the page, the bots, the chaos checker and the tests apply to what they receive.
// The gateway does not apply them: the authoritative rules run inside Redis, in the Lua scripts of
// server/store/lua (move.lua, includes/game.lua). test/store.test.ts plays random moves through
// both and demands identical outcomes; test/rules.test.ts covers this module on its own.

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
