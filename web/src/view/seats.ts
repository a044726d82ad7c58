// The seat cards above the board: one per seat of the variant (2 to 4), each with its mark (as text
// and in the seat's colour), the player's name, and tags in words: you, computer, out, to move,
// winner, online. Two players keep the classic "X vs O" row; three and four share a grid.
import type { Mark } from '../../../shared/rules.js';
import type { SeatCard } from '../seats.js';
import { clockText } from '../text.js';
import { el, setText, show, toggleClass } from './dom.js';

class SeatCardView {
  readonly root: HTMLElement;
  private readonly name = el('span', { class: 'name' });
  private readonly tags = el('span', { class: 'tags' });
  private readonly online = el('span', { class: 'online' });
  readonly clock = el('span', { class: 'clock', title: 'Time left to move' });

  constructor(readonly mark: Mark) {
    this.root = el('div', { class: `player mark-${mark}` },
      el('span', { class: 'mark' }, mark),
      el('div', { class: 'who' }, this.name, el('div', { class: 'meta' }, this.tags, this.online, this.clock)));
  }

  update(c: SeatCard): void {
    setText(this.name, c.name);
    toggleClass(this.name, 'empty', c.open);
    setText(this.tags, c.tags.join(' · '));
    show(this.tags, c.tags.length > 0);
    show(this.online, c.online !== undefined);
    setText(this.online, c.online ? 'online' : 'offline');
    toggleClass(this.online, 'off', c.online === false);
    toggleClass(this.root, 'to-move', c.toMove);
    toggleClass(this.root, 'winner', c.winner);
    toggleClass(this.root, 'out', c.out);
    toggleClass(this.root, 'computer', c.computer);
  }

  /** Shows the time left of a running turn clock (null: no clock running for this seat). */
  setClock(msLeft: number | null): void {
    show(this.clock, msLeft !== null);
    if (msLeft === null) return;
    setText(this.clock, clockText(msLeft));
    toggleClass(this.clock, 'low', msLeft < 10_000);
  }
}

export class SeatsView {
  readonly root = el('div', { class: 'players' });
  private cards: SeatCardView[] = [];

  /** Rebuilds the cards when the number of seats changes, then updates each. */
  update(cards: SeatCard[]): void {
    if (cards.length !== this.cards.length) {
      this.cards = cards.map((c) => new SeatCardView(c.mark));
      const nodes = this.cards.map((c) => c.root);
      if (nodes.length === 2) nodes.splice(1, 0, el('span', { class: 'vs', 'aria-hidden': 'true' }, 'vs'));
      this.root.replaceChildren(...nodes);
      toggleClass(this.root, 'many', cards.length > 2);
    }
    cards.forEach((c, i) => this.cards[i].update(c));
  }

  /** The turn clock: `msLeft` for the seat on turn, nothing on the others. */
  clock(turn: Mark | null, msLeft: number | null): void {
    for (const c of this.cards) c.setClock(c.mark === turn ? msLeft : null);
  }
}
