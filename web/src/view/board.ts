// The 3x3 board: nine buttons "cell 1".."cell 9" (row-major) showing X, O or nothing. Built once and
// updated in place, so keyboard focus survives every move. One tab stop; arrow keys move between cells.
import type { GameSnapshot } from '../../../shared/protocol.js';
import type { Mark } from '../../../shared/rules.js';
import { el, setText, toggleClass } from './dom.js';

export interface BoardInput {
  game: GameSnapshot | null;
  /** Whether a click on an empty cell plays (it is the viewer's turn and nothing is pending). */
  canPlay: boolean;
  pending: { cell: number; mark: Mark } | null;
}

const ARROWS: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -3, ArrowDown: 3 };

export class BoardView {
  readonly root: HTMLElement;
  private readonly cells: HTMLButtonElement[] = [];
  private readonly descs: HTMLElement[] = [];
  private focusIndex = 4;

  constructor(onPlay: (cell: number) => void) {
    this.root = el('div', { class: 'board', role: 'group', 'aria-label': 'Board' });
    for (let i = 0; i < 9; i++) {
      const desc = el('span', { id: `cell-${i + 1}-desc`, hidden: true });
      const b = el('button', { type: 'button', class: 'cell', 'aria-label': `cell ${i + 1}`, 'aria-describedby': desc.id, tabindex: i === 4 ? '0' : '-1' });
      b.addEventListener('click', () => { this.focusIndex = i; onPlay(i); });
      b.addEventListener('focus', () => this.setFocusIndex(i));
      this.cells.push(b);
      this.descs.push(desc);
      this.root.append(b, desc);
    }
    this.root.addEventListener('keydown', (e) => this.key(e));
  }

  private key(e: KeyboardEvent): void {
    let next = this.focusIndex;
    if (e.key in ARROWS) {
      const step = ARROWS[e.key];
      const col = this.focusIndex % 3;
      if ((step === -1 && col === 0) || (step === 1 && col === 2)) return;
      next = this.focusIndex + step;
      if (next < 0 || next > 8) return;
    } else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = 8;
    else return;
    e.preventDefault();
    this.cells[next].focus();
  }

  private setFocusIndex(i: number): void {
    this.focusIndex = i;
    this.cells.forEach((c, j) => c.setAttribute('tabindex', j === i ? '0' : '-1'));
  }

  update({ game, canPlay, pending }: BoardInput): void {
    const line = new Set(game?.line ?? []);
    for (let i = 0; i < 9; i++) {
      const c = this.cells[i];
      const placed = game?.board[i] ?? '.';
      const shown = placed !== '.' ? placed : pending?.cell === i ? pending.mark : '';
      setText(c, shown);
      setText(this.descs[i], shown || 'empty');
      c.dataset.mark = shown;
      toggleClass(c, 'pending', placed === '.' && pending?.cell === i);
      toggleClass(c, 'win', game?.status === 'won' && line.has(i));
      const playable = canPlay && placed === '.';
      c.setAttribute('aria-disabled', String(!playable));
      toggleClass(c, 'playable', playable);
    }
    toggleClass(this.root, 'finished', !!game && game.status !== 'playing' && game.status !== 'waiting');
  }
}
