// The board of any variant: R x C buttons "cell 1".."cell N" (row-major) showing X, O, Y, Z or
// nothing, in a CSS grid sized by --rows/--cols. Cells are built once per board size and updated in
// place, so keyboard focus survives every move. One tab stop; the arrow keys move between cells
// (grid.ts). A board too wide for the screen scrolls inside its frame, never the page.
import type { GameSnapshot } from '../../../shared/protocol.js';
import type { Mark } from '../../../shared/rules.js';
import { middleCell, stepFocus, type Size } from '../grid.js';
import { variantOf } from '../variants.js';
import { el, setText, toggleClass } from './dom.js';

export interface BoardInput {
  game: GameSnapshot | null;
  /** Whether a click on an empty cell plays (it is the viewer's turn and nothing is pending). */
  canPlay: boolean;
  pending: { cell: number; mark: Mark } | null;
}

/** Boards wider than this get thin gaps and small marks (class "dense"). */
const DENSE_FROM_COLS = 8;

export class BoardView {
  readonly root: HTMLElement;
  private readonly grid: HTMLElement;
  private cells: HTMLButtonElement[] = [];
  private descs: HTMLElement[] = [];
  private size: Size = { rows: 0, cols: 0 };
  private focusIndex = 0;
  /** The board last shown and its game: a mark that appeared since is the latest move. */
  private shown: { id: string; board: string } | null = null;
  private latest = new Set<number>();

  constructor(private readonly onPlay: (cell: number) => void) {
    this.grid = el('div', { class: 'board', role: 'group', 'aria-label': 'Board' });
    this.grid.addEventListener('keydown', (e) => this.key(e));
    this.root = el('div', { class: 'board-frame' }, this.grid);
    this.resize({ rows: 3, cols: 3 });
  }

  /** Builds the cells of a board of this size (only when the size changes). */
  private resize(size: Size): void {
    if (size.rows === this.size.rows && size.cols === this.size.cols) return;
    this.size = size;
    const n = size.rows * size.cols;
    this.focusIndex = middleCell(size);
    this.cells = [];
    this.descs = [];
    const nodes: HTMLElement[] = [];
    for (let i = 0; i < n; i++) {
      const desc = el('span', { id: `cell-${i + 1}-desc`, hidden: true });
      const b = el('button', { type: 'button', class: 'cell', 'aria-label': `cell ${i + 1}`, 'aria-describedby': desc.id, tabindex: i === this.focusIndex ? '0' : '-1' });
      b.addEventListener('click', () => { this.focusIndex = i; this.onPlay(i); });
      b.addEventListener('focus', () => this.setFocusIndex(i));
      this.cells.push(b);
      this.descs.push(desc);
      nodes.push(b, desc);
    }
    this.grid.replaceChildren(...nodes);
    this.grid.style.setProperty('--rows', String(size.rows));
    this.grid.style.setProperty('--cols', String(size.cols));
    this.grid.setAttribute('aria-label', size.rows === 3 && size.cols === 3 ? 'Board' : `Board, ${size.rows} rows by ${size.cols} columns`);
    toggleClass(this.grid, 'classic', size.rows === 3 && size.cols === 3);
    toggleClass(this.grid, 'dense', size.cols >= DENSE_FROM_COLS);
    this.shown = null;
  }

  private key(e: KeyboardEvent): void {
    const next = stepFocus(this.focusIndex, e.key, this.size, e.ctrlKey || e.metaKey);
    if (next === null) return;
    e.preventDefault();
    this.cells[next].focus();
    this.cells[next].scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  private setFocusIndex(i: number): void {
    this.cells[this.focusIndex]?.setAttribute('tabindex', '-1');
    this.focusIndex = i;
    this.cells[i].setAttribute('tabindex', '0');
  }

  update({ game, canPlay, pending }: BoardInput): void {
    const v = game ? variantOf(game) : { rows: 3, cols: 3 };
    this.resize({ rows: v.rows, cols: v.cols });
    const line = new Set(game?.line ?? []);
    if (!game || this.shown?.id !== game.id) this.latest = new Set();
    else if (this.shown.board !== game.board) this.latest = changedCells(this.shown.board, game.board);
    for (let i = 0; i < this.cells.length; i++) {
      const c = this.cells[i];
      const placed = game?.board[i] ?? '.';
      const shown = placed !== '.' ? placed : pending?.cell === i ? pending.mark : '';
      setText(c, shown);
      setText(this.descs[i], shown || 'empty');
      c.dataset.mark = shown;
      toggleClass(c, 'pending', placed === '.' && pending?.cell === i);
      toggleClass(c, 'win', game?.status === 'won' && line.has(i));
      toggleClass(c, 'last', this.latest.has(i) && game?.status === 'playing');
      const playable = canPlay && placed === '.';
      c.setAttribute('aria-disabled', String(!playable));
      toggleClass(c, 'playable', playable);
    }
    if (game) this.shown = { id: game.id, board: game.board };
    toggleClass(this.grid, 'finished', !!game && game.status !== 'playing' && game.status !== 'waiting');
  }
}

/** The cells empty on `before` and marked on `after`: the move(s) made since. */
function changedCells(before: string, after: string): Set<number> {
  const found = new Set<number>();
  for (let i = 0; i < after.length; i++) if (after[i] !== '.' && before[i] === '.') found.add(i);
  return found;
}
