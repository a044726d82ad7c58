// The lobby: the player's name, the variant, "Quick match" (with its waiting state and Cancel),
// "New private game", "Play the computer", and joining a private game by its invite code.
import { isClassic, type Variant } from '../../../shared/variant.js';
import { NAME_MAX } from '../../../shared/wire.js';
import type { App, Model } from '../app.js';
import { inARow, numberWord, variantTitle } from '../variants.js';
import { el, setText, show } from './dom.js';
import { VariantPicker } from './picker.js';

export class LobbyView {
  readonly root: HTMLElement;
  private readonly choose: HTMLElement;
  private readonly queue: HTMLElement;
  private readonly name: HTMLInputElement;
  private readonly buttons: HTMLButtonElement[];
  /** The buttons that start a game of the chosen variant (disabled while a custom size is invalid). */
  private readonly starters: HTMLButtonElement[];
  private readonly picker: VariantPicker;
  private readonly headline = el('h1', {}, 'Three in a row wins.');
  private readonly queueLead = el('p', { class: 'lead' });
  private last: Model | null = null;

  constructor(app: App, savedName: string) {
    this.name = el('input', { id: 'name', type: 'text', maxlength: String(NAME_MAX), autocomplete: 'nickname', spellcheck: 'false', placeholder: 'Pick a name' });
    this.name.value = savedName;
    this.name.addEventListener('change', () => app.setName(this.name.value));
    const quick = el('button', { type: 'button', class: 'primary' }, 'Quick match');
    quick.addEventListener('click', () => app.quickMatch());
    const create = el('button', { type: 'button' }, 'New private game');
    create.addEventListener('click', () => app.createPrivate());
    const code = el('input', { id: 'code', type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '16', placeholder: 'e.g. K7PX2M' });
    const computer = el('button', { type: 'button' }, 'Play the computer');
    computer.addEventListener('click', () => app.playComputer());
    const join = el('button', { type: 'submit' }, 'Join');
    const form = el('form', { class: 'join' },
      el('label', { for: 'code' }, 'Invite code'),
      el('div', { class: 'row' }, code, join));
    form.addEventListener('submit', (e) => { e.preventDefault(); app.join(code.value); });
    this.buttons = [quick, create, computer, join];
    this.starters = [quick, create, computer];
    this.picker = new VariantPicker(app.model.choice, (v) => app.choose(v), () => { if (this.last) this.update(this.last); });

    this.choose = el('div', { class: 'card' },
      this.headline,
      el('p', { class: 'lead' }, 'Play tic-tac-toe against anyone, on any gateway of the cluster.'),
      el('div', { class: 'field' }, el('label', { for: 'name' }, 'Your name'), this.name),
      this.picker.root,
      el('div', { class: 'actions' }, quick, create, computer),
      el('div', { class: 'or', 'aria-hidden': 'true' }, 'or join a friend'),
      form);

    const cancel = el('button', { type: 'button' }, 'Cancel');
    cancel.addEventListener('click', () => app.cancelQueue());
    this.queue = el('div', { class: 'card searching' },
      el('div', { class: 'spinner', 'aria-hidden': 'true' }),
      el('h1', {}, 'Quick match'),
      this.queueLead,
      el('div', { class: 'actions' }, cancel));

    this.root = el('section', { class: 'lobby', 'aria-label': 'Lobby' }, this.choose, this.queue);
  }

  update(m: Model): void {
    show(this.root, m.screen.kind !== 'game');
    show(this.choose, m.screen.kind === 'lobby');
    show(this.queue, m.screen.kind === 'queue');
    this.last = m;
    for (const b of this.buttons) b.disabled = m.busy || m.conn.phase === 'closed' || (this.starters.includes(b) && !this.picker.valid);
    setText(this.headline, `${inARow(m.choice)} wins.`);
    if (m.screen.kind === 'queue') setText(this.queueLead, queueSentence(m.screen.variant));
    if (!this.name.value && m.me && document.activeElement !== this.name) this.name.value = m.me.name;
  }
}

/** What the quick-match card says while the player waits. */
function queueSentence(v: Variant): string {
  if (isClassic(v)) return 'You will be paired with the next player who asks for a quick match.';
  const who = v.players > 2 ? `${numberWord(v.players)} players` : 'two players';
  return `The game starts when ${who} have asked for a quick match of ${variantTitle(v)}.`;
}
