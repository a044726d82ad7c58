// The lobby: the player's name, "Quick match" (with its waiting state and Cancel), "New private
// game", and joining a private game by its invite code.
import { NAME_MAX } from '../../../shared/wire.js';
import type { App, Model } from '../app.js';
import { el, show } from './dom.js';

export class LobbyView {
  readonly root: HTMLElement;
  private readonly choose: HTMLElement;
  private readonly queue: HTMLElement;
  private readonly name: HTMLInputElement;
  private readonly buttons: HTMLButtonElement[];

  constructor(app: App, savedName: string) {
    this.name = el('input', { id: 'name', type: 'text', maxlength: String(NAME_MAX), autocomplete: 'nickname', spellcheck: 'false', placeholder: 'Pick a name' });
    this.name.value = savedName;
    this.name.addEventListener('change', () => app.setName(this.name.value));
    const quick = el('button', { type: 'button', class: 'primary' }, 'Quick match');
    quick.addEventListener('click', () => app.quickMatch());
    const create = el('button', { type: 'button' }, 'New private game');
    create.addEventListener('click', () => app.createPrivate());
    const code = el('input', { id: 'code', type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '16', placeholder: 'e.g. K7PX2M' });
    const join = el('button', { type: 'submit' }, 'Join');
    const form = el('form', { class: 'join' },
      el('label', { for: 'code' }, 'Invite code'),
      el('div', { class: 'row' }, code, join));
    form.addEventListener('submit', (e) => { e.preventDefault(); app.join(code.value); });
    this.buttons = [quick, create, join];

    this.choose = el('div', { class: 'card' },
      el('h1', {}, 'Three in a row wins.'),
      el('p', { class: 'lead' }, 'Play tic-tac-toe against anyone, on any gateway of the cluster.'),
      el('div', { class: 'field' }, el('label', { for: 'name' }, 'Your name'), this.name),
      el('div', { class: 'actions' }, quick, create),
      el('div', { class: 'or', 'aria-hidden': 'true' }, 'or join a friend'),
      form);

    const cancel = el('button', { type: 'button' }, 'Cancel');
    cancel.addEventListener('click', () => app.cancelQueue());
    this.queue = el('div', { class: 'card searching' },
      el('div', { class: 'spinner', 'aria-hidden': 'true' }),
      el('h1', {}, 'Quick match'),
      el('p', { class: 'lead' }, 'You will be paired with the next player who asks for a quick match.'),
      el('div', { class: 'actions' }, cancel));

    this.root = el('section', { class: 'lobby', 'aria-label': 'Lobby' }, this.choose, this.queue);
  }

  update(m: Model): void {
    show(this.root, m.screen.kind !== 'game');
    show(this.choose, m.screen.kind === 'lobby');
    show(this.queue, m.screen.kind === 'queue');
    for (const b of this.buttons) b.disabled = m.busy || m.conn.phase === 'closed';
    if (!this.name.value && m.me && document.activeElement !== this.name) this.name.value = m.me.name;
  }
}
