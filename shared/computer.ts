// The computer opponent: pure and deterministic for a given random source (no clock, no I/O unless
// a clock is passed in). On the classic board it plays perfectly (it never loses); on any other
// variant it takes a win in one, else blocks the win in one of the opponent who would move first,
// else plays the cell of best threat score near the marks, scoring at most `maxNodes` cells.
import { nextInTurn, winningLine, type GameState, type Mark } from './rules.js';
import { isClassic, type Variant } from './variant.js';

/** A source of numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small seeded generator, so that a game's computer moves can be replayed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ThinkOptions {
  rng: Rng;
  /** Cells the heuristic scores at most (default 1000). The win and block scans are one pass over
   *  the board per seat and are not counted; the classic search is bounded by its 5478 positions. */
  maxNodes?: number;
  /** With `deadline`: the heuristic stops scoring once now() reaches it (ms, any clock). */
  now?: () => number;
  deadline?: number;
  /** Solved classic positions, kept by the caller between calls (computed when missing). */
  memo?: Map<number, number>;
}

export type ThinkReason = 'perfect' | 'win' | 'block' | 'heuristic';
export interface ComputerMove { cell: number; reason: ThinkReason; nodes: number }

const DEFAULT_MAX_NODES = 1000;

const emptyCells = (board: string): number[] => {
  const cells: number[] = [];
  for (let i = 0; i < board.length; i++) if (board[i] === '.') cells.push(i);
  return cells;
};

/** Picks one of `items` uniformly with `rng`. */
const pick = <T>(items: T[], rng: Rng): T => items[Math.min(items.length - 1, Math.floor(rng() * items.length))];

/** The eight classic lines as bit masks of cells (bit i = cell i). */
const CLASSIC_LINE_MASKS = [0x007, 0x038, 0x1c0, 0x049, 0x092, 0x124, 0x111, 0x054];
const completes = (mine: number) => CLASSIC_LINE_MASKS.some((l) => (mine & l) === l);

/**
 * The classic value of a position for the player to move, whose cells are `mine` (bit masks of
 * the cells): 0 a draw, n > 0 a win with n - 1 empty cells left after the winning move (sooner is
 * more), -n a loss alike. Negamax over bit masks, each position solved once per memo (keyed
 * mine * 512 + theirs): at most 5478 positions, well under a millisecond for the whole game.
 */
function solveClassic(mine: number, theirs: number, memo: Map<number, number>, counter: { nodes: number }): number {
  const key = mine * 512 + theirs;
  const known = memo.get(key);
  if (known !== undefined) return known;
  counter.nodes++;
  let best = -Infinity;
  for (let cell = 0; cell < 9; cell++) {
    if ((mine | theirs) & (1 << cell)) continue;
    best = Math.max(best, classicMoveValue(mine, theirs, cell, memo, counter));
  }
  memo.set(key, best);
  return best;
}

function classicMoveValue(mine: number, theirs: number, cell: number, memo: Map<number, number>, counter: { nodes: number }): number {
  const next = mine | (1 << cell);
  const empties = 9 - popcount(next | theirs);
  if (completes(next)) return empties + 1;
  if (empties === 0) return 0;
  return -solveClassic(theirs, next, memo, counter);
}

const popcount = (x: number): number => { let n = 0; for (; x; x &= x - 1) n++; return n; };
const maskOf = (board: string, mark: Mark): number => {
  let m = 0;
  for (let i = 0; i < 9; i++) if (board[i] === mark) m |= 1 << i;
  return m;
};

function perfectMove(s: GameState, me: Mark, o: ThinkOptions): ComputerMove {
  const memo = o.memo ?? new Map<number, number>();
  const counter = { nodes: 0 };
  const [mine, theirs] = [maskOf(s.board, me), maskOf(s.board, me === 'X' ? 'O' : 'X')];
  const free = emptyCells(s.board);
  const values = free.map((cell) => classicMoveValue(mine, theirs, cell, memo, counter));
  const best = Math.max(...values);
  return { cell: pick(free.filter((_, i) => values[i] === best), o.rng), reason: 'perfect', nodes: counter.nodes };
}

/** The opponents still in, in the order they move after `me`. */
function opponentsAfter(s: GameState, me: Mark): Mark[] {
  const order: Mark[] = [];
  for (let m = nextInTurn(s.variant.players, me, s.out); m && m !== me; m = nextInTurn(s.variant.players, m, s.out)) order.push(m);
  return order;
}

/** The first cell (by index) where `mark` completes K in a row, or -1. */
const winningCell = (v: Variant, board: string, free: number[], mark: Mark): number =>
  free.find((cell) => winningLine(v, board, cell, mark) !== null) ?? -1;

/** Empty cells within two steps (rows, columns or diagonals) of a mark: where play matters. */
function nearMarks(v: Variant, board: string, free: number[]): number[] {
  return free.filter((cell) => markWithinTwo(v, board, Math.floor(cell / v.cols), cell % v.cols));
}

function markWithinTwo(v: Variant, board: string, r0: number, c0: number): boolean {
  for (let r = Math.max(0, r0 - 2); r <= Math.min(v.rows - 1, r0 + 2); r++) {
    for (let c = Math.max(0, c0 - 2); c <= Math.min(v.cols - 1, c0 + 2); c++) if (board[r * v.cols + c] !== '.') return true;
  }
  return false;
}

/**
 * A cell's threat score for `me`: every window of K cells through it that holds marks of one seat
 * only (and empties) counts, 8^marks, for that seat: mine as attack, an opponent's as defence
 * (slightly less: building wins before blocking what is not yet a threat). Windows holding marks
 * of two seats can never become a line and count nothing.
 */
function threatScore(v: Variant, board: string, cell: number, me: Mark): number {
  const r0 = Math.floor(cell / v.cols);
  const c0 = cell % v.cols;
  let score = 0;
  for (const [dr, dc] of [[0, 1], [1, 0], [1, 1], [1, -1]]) {
    for (let back = 0; back < v.k; back++) {
      const [rs, cs] = [r0 - back * dr, c0 - back * dc];
      const [re, ce] = [rs + (v.k - 1) * dr, cs + (v.k - 1) * dc];
      if (rs < 0 || re >= v.rows || Math.min(cs, ce) < 0 || Math.max(cs, ce) >= v.cols) continue;
      let owner = '';
      let marks = 0;
      let dead = false;
      for (let i = 0; i < v.k && !dead; i++) {
        const m = board[(rs + i * dr) * v.cols + cs + i * dc];
        if (m === '.') continue;
        if (owner && m !== owner) dead = true;
        owner = m;
        marks++;
      }
      if (dead) continue;
      score += owner === '' || owner === me ? 8 ** marks : 0.8 * 8 ** marks;
    }
  }
  // a little for the centre, so that equal cells lean inwards
  return score + 1 / (1 + Math.abs(r0 - (v.rows - 1) / 2) + Math.abs(c0 - (v.cols - 1) / 2));
}

function heuristicMove(s: GameState, me: Mark, free: number[], o: ThinkOptions): ComputerMove {
  const v = s.variant;
  const candidates = nearMarks(v, s.board, free);
  if (candidates.length === 0) {
    const centre = Math.floor((v.rows - 1) / 2) * v.cols + Math.floor((v.cols - 1) / 2);
    return { cell: s.board[centre] === '.' ? centre : pick(free, o.rng), reason: 'heuristic', nodes: 0 };
  }
  // scored in a random order: when the budget cuts the scoring short, no board region is favoured
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(o.rng() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  const maxNodes = o.maxNodes ?? DEFAULT_MAX_NODES;
  let best = candidates[0];
  let bestScore = -Infinity;
  let nodes = 0;
  for (const cell of candidates) {
    if (nodes >= maxNodes || (o.now && o.deadline !== undefined && o.now() >= o.deadline)) break;
    nodes++;
    const score = threatScore(v, s.board, cell, me);
    if (score > bestScore) [best, bestScore] = [cell, score];
  }
  return { cell: best, reason: 'heuristic', nodes };
}

/** The computer's move for the seat on turn of a playing game. */
export function computerMove(s: GameState, o: ThinkOptions): ComputerMove {
  const me = s.turn;
  if (s.status !== 'playing' || !me) throw new Error('the computer moves only in a playing game, on its turn');
  if (isClassic(s.variant) && s.out.length === 0) return perfectMove(s, me, o);
  const free = emptyCells(s.board);
  const win = winningCell(s.variant, s.board, free, me);
  if (win >= 0) return { cell: win, reason: 'win', nodes: 0 };
  for (const opponent of opponentsAfter(s, me)) {
    const block = winningCell(s.variant, s.board, free, opponent);
    if (block >= 0) return { cell: block, reason: 'block', nodes: 0 };
  }
  return heuristicMove(s, me, free, o);
}
